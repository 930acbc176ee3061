module ipcsh

go 1.26.0

require (
	github.com/alecthomas/participle/v2 v2.1.4
	github.com/ergochat/readline v0.1.3
	golang.org/x/sys v0.50.0
)

require golang.org/x/text v0.9.0 // indirect
