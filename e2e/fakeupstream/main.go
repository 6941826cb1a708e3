// Command fakeupstream runs the test-only fake LLM provider
// (internal/fakeprovider) as a process for the browser tests: it prints
// its base URL on the first line of stdout and serves until stopped.
package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/octopuscaddy/octopus/internal/fakeprovider"
)

func main() {
	s, err := fakeprovider.Start()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(s.URL())
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, os.Interrupt)
	<-sig
	s.Close()
}
