package reassembly

import (
	"io"
	"os"
	"time"
)

// defaultProgressEvery is the least wall time between two Progress calls.
const defaultProgressEvery = 250 * time.Millisecond

// ProgressInfo says how far Run (or RunLive) has got. Sizes are in bytes
// as stored: a gzip file's compressed bytes.
type ProgressInfo struct {
	File      string // the file being read ("-" for standard input; the interface when live)
	FileIndex int    // its index in the files given to Run
	Files     int    // how many files were given
	FileRead  int64  // bytes of File read so far (captured bytes when live)
	FileSize  int64  // File's size, -1 when unknown (a pipe, a live capture)
	Read      int64  // bytes read so far from all files
	// Size is the size of all files together, -1 when one of them is
	// unknown.
	Size    int64
	Packets int64         // packets read so far
	PDUs    int64         // PDUs delivered so far
	Drops   int64         // packets the kernel dropped so far (live capture)
	Elapsed time.Duration // wall time since the start
	Done    bool          // the last call: reading has ended
}

// progress is the state of Options.Progress.
type progress struct {
	fn          func(ProgressInfo)
	every       time.Duration
	start, last time.Time
	info        ProgressInfo
	counter     *countingReader // the current file's
	readBefore  int64           // bytes of the files before the current one
	live        bool
	tick        uint
}

func (p *progress) init(o Options) {
	p.fn, p.every = o.Progress, o.ProgressEvery
	p.info.FileSize, p.info.Size = -1, -1
	if p.fn != nil {
		p.start = time.Now()
		p.last = p.start
	}
}

// sizes sets the total size of files, when every one of them is a regular
// file.
func (p *progress) sizes(files []string, stdin io.Reader) {
	if p.fn == nil {
		return
	}
	if stdin == nil {
		stdin = os.Stdin
	}
	var total int64
	for _, name := range files {
		size := regularSize(stdin)
		if name != "-" {
			size = -1
			if fi, err := os.Stat(name); err == nil && fi.Mode().IsRegular() {
				size = fi.Size()
			}
		}
		if size < 0 {
			return
		}
		total += size
	}
	p.info.Size = total
}

// file starts the count for a new file.
func (p *progress) file(name string, index int, c *countingReader, size int64) {
	if p.counter != nil {
		p.readBefore += p.counter.n
	}
	p.info.File, p.info.FileIndex, p.info.FileSize = name, index, size
	p.counter = c
}

// progressTick calls Options.Progress when it is time; the clock is read
// every 64 calls only, unless the capture is live. It is called for every
// packet, and inlined: without Options.Progress, it costs a test.
func (r *runner) progressTick() {
	if r.prog.fn != nil {
		r.progressCount()
	}
}

func (r *runner) progressCount() {
	p := &r.prog
	if p.tick++; p.tick&63 != 0 && !p.live {
		return
	}
	if now := time.Now(); now.Sub(p.last) >= p.every {
		p.last = now
		r.progressCall(now, false)
	}
}

func (r *runner) progressCall(now time.Time, done bool) {
	p := &r.prog
	info := p.info
	switch {
	case p.live:
		info.FileRead = r.stats.CaptureBytes
	case p.counter != nil:
		info.FileRead = p.counter.n
	}
	info.Read = p.readBefore + info.FileRead
	info.Packets, info.PDUs, info.Drops = r.stats.Packets, r.stats.PDUs, r.stats.Drops
	info.Elapsed, info.Done = now.Sub(p.start), done
	p.fn(info)
}

// progressDone makes the last Progress call.
func (r *runner) progressDone() {
	if r.prog.fn != nil {
		r.progressCall(time.Now(), true)
	}
}
