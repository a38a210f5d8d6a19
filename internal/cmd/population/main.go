// Command population starts and ends the idle process population that
// nsview's benchmarks scan: N processes over a chain of nested PID
// namespaces. scripts/population builds and runs it; see package
// internal/population.
//
//	population start [-n 10000] [-levels 4] [-state FILE]
//	population stop  [-state FILE]
//	population status [-state FILE]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/nsview/nsview/internal/population"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "population: "+err.Error())
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) == 0 {
		return errors.New("usage: population start|stop|status [flags] (see -h of each)")
	}
	fs := flag.NewFlagSet("population "+args[0], flag.ContinueOnError)
	state := fs.String("state", defaultState(), "state file (the idle program and a log go beside it)")
	switch args[0] {
	case "start":
		n := fs.Int("n", 10000, "processes in total, over all levels")
		levels := fs.Int("levels", population.Levels, "nested PID namespaces")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		self, err := os.Executable()
		if err != nil {
			return fmt.Errorf("find myself: %w", err)
		}
		if err := os.MkdirAll(filepath.Dir(*state), 0o755); err != nil {
			return err
		}
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
		defer stop()
		_, err = population.Start(ctx, population.Config{N: *n, Levels: *levels, State: *state, Self: self, Out: os.Stdout})
		return err
	case "stop":
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		return population.Stop(*state, os.Stdout)
	case "status":
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		alive, total, err := population.Status(*state)
		if err != nil {
			return err
		}
		fmt.Printf("%d of %d recorded processes alive\n", alive, total)
		return nil
	case "init":
		level := fs.Int("level", 1, "this init's level")
		plan := fs.String("plan", "", "idle children per level")
		idle := fs.String("idle", "", "idle program")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		p, err := population.ParsePlan(*plan)
		if err != nil {
			return err
		}
		self, err := os.Executable()
		if err != nil {
			return fmt.Errorf("find myself: %w", err)
		}
		return population.RunInit(population.InitConfig{Level: *level, Plan: p, Idle: *idle, Self: self})
	}
	return fmt.Errorf("unknown command %q: want start, stop or status", args[0])
}

// defaultState is $NSVIEW_POPULATION_STATE, else population.state in the
// temporary directory.
func defaultState() string {
	if s := os.Getenv("NSVIEW_POPULATION_STATE"); s != "" {
		return s
	}
	return filepath.Join(os.TempDir(), "nsview-population", "state")
}
