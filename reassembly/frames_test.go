package reassembly

import (
	"bytes"
	"context"
	"io"
	"net/netip"
	"testing"

	"github.com/gopacket/gopacket/layers"
	"github.com/stretchr/testify/require"
)

// FrameReader reads a stream as Run and ReadFrames read a file: the same
// frames, numbers, times and link types, compressed or not.
func TestFrameReader(t *testing.T) {
	c := simple(t, layers.LinkTypeEthernet, client, server)
	sll := simple(t, layers.LinkTypeLinuxSLL, client, netip.MustParseAddrPort("10.0.0.3:2775"))
	for _, tc := range []struct {
		name string
		b    []byte
		lt   layers.LinkType
	}{
		{"pcap", c.pcap(), layers.LinkTypeEthernet},
		{"gzip pcapng", gzipped(t, c.pcapng()), layers.LinkTypeEthernet},
		{"sll", sll.pcap(), layers.LinkTypeLinuxSLL},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, "in", tc.b)
			var want []Frame
			n, err := ReadFrames(context.Background(), []string{path}, Options{}, func(string, int) bool { return true }, func(f *Frame) error {
				g := *f
				g.Data = bytes.Clone(f.Data)
				want = append(want, g)
				return nil
			})
			require.NoError(t, err)
			require.Equal(t, len(want), n)
			require.NotEmpty(t, want)

			fr, err := NewFrameReader(path, onlyReader{bytes.NewReader(tc.b)})
			require.NoError(t, err)
			require.Equal(t, tc.lt, fr.LinkType())
			for i := range want {
				f, err := fr.Next()
				require.NoError(t, err)
				require.Equal(t, want[i].Number, f.Number)
				require.Equal(t, i+1, f.Number)
				require.Equal(t, want[i].Data, f.Data)
				require.True(t, want[i].Info.Timestamp.Equal(f.Info.Timestamp))
				require.Equal(t, want[i].Info.Length, f.Info.Length)
				require.Equal(t, len(f.Data), f.Info.CaptureLength)
				require.Equal(t, tc.lt, f.LinkType)
			}
			_, err = fr.Next()
			require.Equal(t, io.EOF, err)
		})
	}
}

// CaptureWriter writes what CopyFrames writes, and knows its size as it
// goes: Size grows by RecordSize with every frame.
func TestCaptureWriter(t *testing.T) {
	c := simple(t, layers.LinkTypeEthernet, client, server)
	path := writeFile(t, "c.pcap", c.pcap())
	all := func(string, int) bool { return true }
	for _, format := range []CaptureFormat{FormatPcap, FormatPcapNano, FormatPcapng} {
		t.Run(format.String(), func(t *testing.T) {
			var want bytes.Buffer
			_, err := CopyFrames(context.Background(), []string{path}, Options{}, all, &want, format)
			require.NoError(t, err)

			var got bytes.Buffer
			cw, err := NewCaptureWriter(&got, format, 0, layers.LinkTypeEthernet)
			require.NoError(t, err)
			var last int64
			_, err = ReadFrames(context.Background(), []string{path}, Options{}, all, func(f *Frame) error {
				before, err := cw.Size()
				require.NoError(t, err)
				if err := cw.Write(f); err != nil {
					return err
				}
				after, err := cw.Size()
				require.NoError(t, err)
				if before > 0 { // the first frame also brings the file header
					require.Equal(t, cw.RecordSize(len(f.Data)), after-before)
				}
				last = after
				return nil
			})
			require.NoError(t, err)
			require.NoError(t, cw.Flush())
			require.Equal(t, int64(got.Len()), last)
			require.Equal(t, want.Bytes(), got.Bytes())
		})
	}
	// Without frames: a header of the link type given.
	var empty bytes.Buffer
	cw, err := NewCaptureWriter(&empty, FormatPcap, 0, layers.LinkTypeLinuxSLL)
	require.NoError(t, err)
	require.NoError(t, cw.Flush())
	src, err := newSource("empty", &empty)
	require.NoError(t, err)
	require.Equal(t, layers.LinkTypeLinuxSLL, src.fileLink)
}

// sinkRecorder is a FrameSink that notes what it is given.
type sinkRecorder struct {
	start  []string
	frames []int
}

func (s *sinkRecorder) Start(input string, lt layers.LinkType) {
	s.start = append(s.start, input+" "+lt.String())
}

func (s *sinkRecorder) Frame(f *Frame) error {
	s.frames = append(s.frames, f.Number)
	return nil
}

// A Spool with a FrameSink hands RunLive's frames over one by one,
// numbered, instead of keeping a file.
func TestLiveSpoolFrames(t *testing.T) {
	rec := &sinkRecorder{}
	sp, err := newLiveSpool(&Spool{Frames: rec}, "lo", layers.LinkTypeEthernet, 65535)
	require.NoError(t, err)
	require.Equal(t, []string{"lo Ethernet"}, rec.start)
	c := simple(t, layers.LinkTypeEthernet, client, server)
	for _, f := range c.frames {
		require.NoError(t, sp.write(f.ci, f.data))
	}
	require.NoError(t, sp.close())
	require.Len(t, rec.frames, len(c.frames))
	for i, n := range rec.frames {
		require.Equal(t, i+1, n)
	}
	_, ok := (&Spool{Frames: rec}).Path("lo")
	require.False(t, ok, "no temporary file")
}
