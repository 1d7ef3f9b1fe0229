package reassembly

import (
	"bytes"
	"context"
	"io"
	"net/netip"
	"os"
	"testing"
	"time"

	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
	"github.com/stretchr/testify/require"
)

// readFrames reads every frame of a pcap or pcapng capture.
func readFrames(t testing.TB, b []byte) ([]frame, []layers.LinkType) {
	t.Helper()
	src, err := newSource("out", bytes.NewReader(b))
	require.NoError(t, err)
	var out []frame
	var lts []layers.LinkType
	for {
		var rec record
		err := src.read(&rec)
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		data, ci := rec.data, rec.ci
		lts = append(lts, rec.link)
		ci.AncillaryData, ci.InterfaceIndex = nil, 0
		out = append(out, frame{append([]byte(nil), data...), ci})
	}
	return out, lts
}

// onlyReader hides every method of a reader but Read (no Seek, no Stat).
type onlyReader struct{ io.Reader }

func TestCopyFrames(t *testing.T) {
	c := simple(t, layers.LinkTypeEthernet, client, server)
	pcapFile := writeFile(t, "c.pcap", c.pcap())
	gzFile := writeFile(t, "c.pcap.gz", gzipped(t, c.pcapng()))
	sll := simple(t, layers.LinkTypeLinuxSLL, client, netip.MustParseAddrPort("10.0.0.3:2775"))
	sllFile := writeFile(t, "sll.pcap", sll.pcap())
	keep := func(frames ...int) func(string, int) bool {
		return func(_ string, f int) bool {
			for _, x := range frames {
				if x == f {
					return true
				}
			}
			return false
		}
	}
	tests := []struct {
		name   string
		files  []string
		keep   func(string, int) bool
		format CaptureFormat
		want   []frame
		links  []layers.LinkType
		err    error
	}{
		{"pcap", []string{pcapFile}, keep(4, 6), FormatPcap, []frame{c.frames[3], c.frames[5]},
			[]layers.LinkType{layers.LinkTypeEthernet, layers.LinkTypeEthernet}, nil},
		{"pcap, nanoseconds", []string{pcapFile}, keep(7), FormatPcapNano, []frame{c.frames[6]}, []layers.LinkType{layers.LinkTypeEthernet}, nil},
		{"gzip pcapng to pcapng", []string{gzFile}, keep(1, 2, 3), FormatPcapng, c.frames[:3],
			[]layers.LinkType{layers.LinkTypeEthernet, layers.LinkTypeEthernet, layers.LinkTypeEthernet}, nil},
		{"nothing kept", []string{pcapFile}, keep(), FormatPcap, nil, nil, nil},
		{"two link types in pcapng", []string{pcapFile, sllFile},
			func(f string, n int) bool { return n == 4 }, FormatPcapng, []frame{c.frames[3], sll.frames[3]},
			[]layers.LinkType{layers.LinkTypeEthernet, layers.LinkTypeLinuxSLL}, nil},
		{"two link types in pcap", []string{pcapFile, sllFile},
			func(f string, n int) bool { return n == 4 }, FormatPcap, nil, nil, ErrMixedLinkTypes},
		{"file names as given", []string{pcapFile, sllFile},
			func(f string, n int) bool { return f == sllFile && n == 5 }, FormatPcap, []frame{sll.frames[4]},
			[]layers.LinkType{layers.LinkTypeLinuxSLL}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			n, err := CopyFrames(context.Background(), tt.files, Options{}, tt.keep, &out, tt.format)
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, len(tt.want), n)
			got, lts := readFrames(t, out.Bytes())
			require.Equal(t, tt.links, lts)
			require.Len(t, got, len(tt.want))
			for i := range got {
				require.Equal(t, tt.want[i].data, got[i].data)
				require.True(t, tt.want[i].ci.Timestamp.Equal(got[i].ci.Timestamp))
				require.Equal(t, tt.want[i].ci.Length, got[i].ci.Length)
			}
			if n == 0 {
				r, err := pcapgo.NewReader(&out)
				require.NoError(t, err, "an empty capture is still a capture")
				require.Equal(t, layers.LinkTypeEthernet, r.LinkType())
			}
		})
	}
}

// TestCopyFramesRoundTrip writes the frames of the PDUs Run found and
// runs the result again: the same PDUs come out.
func TestCopyFramesRoundTrip(t *testing.T) {
	c := simple(t, layers.LinkTypeEthernet, client, server)
	p := writeFile(t, "c.pcap", c.pcap())
	col, _, err := runFiles(t, smppOn, p)
	require.NoError(t, err)
	frames := map[int]bool{1: true, 2: true, 3: true} // the handshake too
	for _, pd := range col.pdus[:2] {                 // the client's PDUs
		for _, f := range pd.Frames {
			frames[f] = true
		}
	}
	var out bytes.Buffer
	n, err := CopyFrames(context.Background(), []string{p}, smppOn, func(_ string, f int) bool { return frames[f] }, &out, FormatPcap)
	require.NoError(t, err)
	require.Equal(t, 6, n)
	again, _, err := runFiles(t, smppOn, writeFile(t, "out.pcap", out.Bytes()))
	require.NoError(t, err)
	require.Empty(t, again.gaps)
	require.Equal(t, col.ids()[:2], again.ids())
	for i := range again.pdus {
		require.Equal(t, col.pdus[i].Data, again.pdus[i].Data)
	}
}

// TestSpool reads standard input, which cannot seek, with a Spool, and
// copies frames from the spooled copy.
func TestSpool(t *testing.T) {
	data := gzipped(t, simple(t, layers.LinkTypeEthernet, client, server).pcapng())
	sp := &Spool{Dir: t.TempDir()}
	o := smppOn
	o.Stdin = onlyReader{bytes.NewReader(data)}
	o.Spool = sp
	col, _, err := runFiles(t, o, "-")
	require.NoError(t, err)
	require.Len(t, col.pdus, 4)
	path, ok := sp.Path("-")
	require.True(t, ok)
	spooled, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, data, spooled, "standard input is kept byte for byte")

	var out bytes.Buffer
	n, err := CopyFrames(context.Background(), []string{"-"}, o, func(f string, n int) bool { return f == "-" && n >= 4 }, &out, FormatPcap)
	require.NoError(t, err)
	require.Equal(t, 4, n)

	require.NoError(t, sp.Close())
	_, err = os.Stat(path)
	require.ErrorIs(t, err, os.ErrNotExist)
	_, ok = sp.Path("-")
	require.False(t, ok)

	// Without the spool, standard input is read again only if it seeks.
	o.Spool = nil
	_, err = CopyFrames(context.Background(), []string{"-"}, o, func(string, int) bool { return true }, &out, FormatPcap)
	require.ErrorIs(t, err, ErrNotSpooled)
	o.Stdin = bytes.NewReader(data)
	_, _, err = runFiles(t, o, "-")
	require.NoError(t, err)
	out.Reset()
	n, err = CopyFrames(context.Background(), []string{"-"}, o, func(string, int) bool { return true }, &out, FormatPcap)
	require.NoError(t, err)
	require.Equal(t, 7, n)
}

func TestProgress(t *testing.T) {
	c := benchCaptureSmall(t)
	plain := writeFile(t, "p.pcap", c)
	gz := writeFile(t, "p.pcap.gz", gzipped(t, c))
	for _, files := range [][]string{{plain}, {gz}, {plain, gz}} {
		var calls []ProgressInfo
		o := smppOn
		o.ProgressEvery = time.Nanosecond
		o.Progress = func(pi ProgressInfo) { calls = append(calls, pi) }
		_, st, err := runFiles(t, o, files...)
		require.NoError(t, err)
		require.Greater(t, len(calls), 2)
		var size int64
		for _, f := range files {
			fi, err := os.Stat(f)
			require.NoError(t, err)
			size += fi.Size()
		}
		last := calls[len(calls)-1]
		require.True(t, last.Done)
		require.Equal(t, size, last.Size)
		require.Equal(t, size, last.Read, "every byte is read, compressed bytes for gzip")
		require.Equal(t, st.Packets, last.Packets)
		require.Equal(t, st.PDUs, last.PDUs)
		require.Equal(t, len(files), last.Files)
		for i := 1; i < len(calls); i++ {
			require.GreaterOrEqual(t, calls[i].Read, calls[i-1].Read)
			require.LessOrEqual(t, calls[i].FileRead, calls[i].FileSize)
			require.False(t, calls[i-1].Done)
		}
	}
	// Unknown sizes: a pipe.
	var calls []ProgressInfo
	o := smppOn
	o.Stdin = onlyReader{bytes.NewReader(c)}
	o.Progress = func(pi ProgressInfo) { calls = append(calls, pi) }
	_, _, err := runFiles(t, o, "-")
	require.NoError(t, err)
	last := calls[len(calls)-1]
	require.EqualValues(t, -1, last.Size)
	require.EqualValues(t, -1, last.FileSize)
	require.EqualValues(t, len(c), last.Read)
}

// benchCaptureSmall is a capture of a few thousand packets.
func benchCaptureSmall(t testing.TB) []byte { return benchCapture(t, 10, 200) }
