//go:build !race

package golden

// raceBuild is true under `go test -race`: the binary under test is then
// built with the race detector too.
const raceBuild = false
