//go:build !linux && !pcap

package reassembly

// openLive fails: without libpcap only Linux's AF_PACKET can capture.
func openLive(string, Options) (liveHandle, error) { return nil, ErrLiveUnsupported }
