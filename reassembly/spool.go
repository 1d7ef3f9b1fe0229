package reassembly

import (
	"errors"
	"fmt"
	"os"
	"sync"
)

// Spool keeps copies of the inputs that cannot be read twice, standard
// input and live captures, in temporary files, so that CopyFrames can
// read them again after Run or RunLive. Set Options.Spool to a Spool to
// fill it, pass the same Options to CopyFrames, and Close it when done.
// Standard input is copied byte for byte (a gzip stream stays one);
// a live capture is written as a pcap file with the interface's link type.
// The zero value is ready to use. A Spool is safe for concurrent use.
type Spool struct {
	// Dir is the directory of the temporary files; "" means os.TempDir.
	Dir string
	// Frames, when set, receives the frames of a live capture one by one
	// as RunLive reads them, instead of a temporary file (smppdump -w
	// writes a live capture as it goes); Path then knows no copy of the
	// interface. Standard input is still copied to a file.
	Frames FrameSink

	mu    sync.Mutex
	paths map[string]string // input name ("-", an interface) -> temporary file
}

// create makes the temporary file for input name, replacing an earlier
// one.
func (s *Spool) create(name string) (*os.File, error) {
	f, err := os.CreateTemp(s.Dir, "smppdump-spool-*.pcap")
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errSpool, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.paths == nil {
		s.paths = make(map[string]string)
	}
	if old, ok := s.paths[name]; ok {
		_ = os.Remove(old)
	}
	s.paths[name] = f.Name()
	return f, nil
}

// Path returns the temporary file that holds the copy of input name ("-",
// or the interface given to RunLive).
func (s *Spool) Path(name string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.paths[name]
	return p, ok
}

// Close removes the temporary files. The Spool may be used again.
func (s *Spool) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	for name, p := range s.paths {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, fmt.Errorf("reassembly: spool: %w", err))
		}
		delete(s.paths, name)
	}
	return errors.Join(errs...)
}
