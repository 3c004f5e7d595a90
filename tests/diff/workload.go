// workload.go - a small CPU-bound program in two versions, profiled by
// tests/diff/gen.sh to make the real profiles of tests/diff.sh: version 2
// makes checksum 30% slower (30% more rounds per record); everything
// else is the same.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"time"
)

var sink uint64

//go:noinline
func parse(rec []byte) uint64 {
	var v uint64
	for i := 0; i < 40; i++ {
		for _, b := range rec {
			v = v*31 + uint64(b)
		}
	}
	return v
}

//go:noinline
func checksum(rec []byte, rounds int) uint64 {
	var h uint64 = 14695981039346656037
	for r := 0; r < rounds; r++ {
		for _, b := range rec {
			h ^= uint64(b)
			h *= 1099511628211
		}
	}
	return h
}

//go:noinline
func render(v uint64) uint64 {
	s := v
	for i := 0; i < 2000; i++ {
		s ^= s << 13
		s ^= s >> 7
		s ^= s << 17
	}
	return s
}

func main() {
	version := flag.Int("version", 1, "1 or 2 (checksum 30% slower)")
	seconds := flag.Float64("seconds", 20, "CPU time to run")
	out := flag.String("o", "cpu.pprof", "profile to write")
	flag.Parse()
	rounds := 20
	if *version == 2 {
		rounds = 26
	}
	f, err := os.Create(*out)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	rec := make([]byte, 256)
	for i := range rec {
		rec[i] = byte(i * 7)
	}
	deadline := time.Now().Add(time.Duration(*seconds * float64(time.Second)))
	for time.Now().Before(deadline) {
		for i := 0; i < 100; i++ {
			rec[i%256]++
			sink += render(parse(rec) ^ checksum(rec, rounds))
		}
	}
	pprof.StopCPUProfile()
	f.Close()
}
