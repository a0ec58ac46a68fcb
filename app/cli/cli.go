// Package cli implements swarmscope's headless subcommands: info, create,
// download, seed and tracker. main.go parses flags and calls one function
// here per subcommand; each takes its output writers as arguments so tests
// can run them without a terminal. Results go to stdout, progress and
// diagnostics to stderr.
package cli

// Version is the Swarmscope version, written into the "created by" field of
// the torrents we make. Release builds set it with
// -ldflags "-X github.com/swarmscope/swarmscope/app/cli.Version=1.2.3".
var Version = "0.1.0-dev"
