package smppgen

import (
	"fmt"
	"io"
	"sort"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/pcapgo"
)

// SortByTime copies a pcap from in to out with its packets in timestamp
// order (stable: packets with equal times keep their order). Scenarios
// write one connection after another; this interleaves them as a capture
// of the real link would.
func SortByTime(out io.Writer, in io.Reader) error {
	r, err := pcapgo.NewReader(in)
	if err != nil {
		return fmt.Errorf("smppgen: sort: %w", err)
	}
	type rec struct {
		ci   gopacket.CaptureInfo
		data []byte
	}
	var recs []rec
	for {
		data, ci, err := r.ReadPacketData()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("smppgen: sort: read: %w", err)
		}
		recs = append(recs, rec{ci, data})
	}
	sort.SliceStable(recs, func(i, j int) bool { return recs[i].ci.Timestamp.Before(recs[j].ci.Timestamp) })
	w := pcapgo.NewWriter(out)
	if err := w.WriteFileHeader(r.Snaplen(), r.LinkType()); err != nil {
		return fmt.Errorf("smppgen: sort: %w", err)
	}
	for _, x := range recs {
		if err := w.WritePacket(x.ci, x.data); err != nil {
			return fmt.Errorf("smppgen: sort: write: %w", err)
		}
	}
	return nil
}
