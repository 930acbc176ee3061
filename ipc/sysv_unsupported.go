//go:build !amd64 && !arm64

package ipc

// The SysV structs in this package follow the 64-bit Linux ABI of amd64 and
// arm64 (see sysv.go). Other architectures differ in layouts and in the
// IPC_64 flag; porting means checking each struct with layout_test.go.
var _ = sysvIPCIsOnlyWrittenForAmd64AndArm64
