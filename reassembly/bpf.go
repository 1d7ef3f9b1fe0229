package reassembly

import (
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/net/bpf"
)

// maxFilterPorts is the most ports the kernel filter checks one by one;
// with more, it lets all TCP through and user space sorts it out.
const maxFilterPorts = 100

// portExpr is the libpcap expression for the SMPP ports: "tcp and (port A
// or port B)", or "tcp" when any port will do.
func portExpr(ports []uint16, anyPort bool) string {
	if anyPort || len(ports) == 0 {
		return "tcp"
	}
	parts := make([]string, len(ports))
	for i, p := range ports {
		parts[i] = "port " + strconv.Itoa(int(p))
	}
	return "tcp and (" + strings.Join(parts, " or ") + ")"
}

// bpfBuilder assembles a classic BPF program with symbolic jump targets.
type bpfBuilder struct {
	ins    []bpf.Instruction
	jumps  []bpfJump
	labels map[string]int
}

// bpfJump is a jump at ins[at] to label t, when true for a conditional
// jump, and to label f when false ("" is the next instruction).
type bpfJump struct {
	at   int
	t, f string
}

// ja adds an unconditional jump to label, which may be far.
func (b *bpfBuilder) ja(label string) {
	b.jumps = append(b.jumps, bpfJump{len(b.ins), label, ""})
	b.ins = append(b.ins, bpf.Jump{})
}

func (b *bpfBuilder) add(ins ...bpf.Instruction) { b.ins = append(b.ins, ins...) }

func (b *bpfBuilder) label(name string) {
	if b.labels == nil {
		b.labels = make(map[string]int)
	}
	b.labels[name] = len(b.ins)
}

func (b *bpfBuilder) jump(cond bpf.JumpTest, val uint32, t, f string) {
	b.jumps = append(b.jumps, bpfJump{len(b.ins), t, f})
	b.ins = append(b.ins, bpf.JumpIf{Cond: cond, Val: val})
}

func (b *bpfBuilder) program() ([]bpf.Instruction, error) {
	skip := func(at int, label string) (uint8, error) {
		if label == "" {
			return 0, nil
		}
		to, ok := b.labels[label]
		if !ok {
			return 0, fmt.Errorf("reassembly: bpf: no label %q", label)
		}
		d := to - at - 1
		if d < 0 || d > 255 {
			return 0, fmt.Errorf("reassembly: bpf: jump to %q out of range (%d)", label, d)
		}
		return uint8(d), nil
	}
	for _, j := range b.jumps {
		if _, ok := b.ins[j.at].(bpf.Jump); ok {
			to, ok := b.labels[j.t]
			if !ok || to <= j.at {
				return nil, fmt.Errorf("reassembly: bpf: bad jump to %q", j.t)
			}
			b.ins[j.at] = bpf.Jump{Skip: uint32(to - j.at - 1)}
			continue
		}
		in := b.ins[j.at].(bpf.JumpIf)
		var err error
		if in.SkipTrue, err = skip(j.at, j.t); err != nil {
			return nil, err
		}
		if in.SkipFalse, err = skip(j.at, j.f); err != nil {
			return nil, err
		}
		b.ins[j.at] = in
	}
	return b.ins, nil
}

// Ethernet types and IP protocol numbers the filter tests.
const (
	etherIPv4  = 0x0800
	etherIPv6  = 0x86dd
	etherDot1Q = 0x8100
	etherQinQ  = 0x88a8

	protoTCP       = 6
	protoHopByHop  = 0
	protoRouting   = 43
	protoFragment  = 44
	protoDestOpts  = 60
	packetOutgoing = 4 // skb->pkt_type PACKET_OUTGOING
)

// portFilter compiles a classic BPF program that keeps TCP segments to or
// from one of ports (all TCP when ports is empty) and drops everything
// else. Frames start with an Ethernet header when ether is set, else with
// the IP header (AF_PACKET SOCK_DGRAM). The program accepts a little more
// than it must, for user space to sort out: IPv4 fragments after the first
// (they carry no ports), IPv6 packets with extension headers, frames with
// two VLAN tags. An accepted packet is kept up to snap bytes.
//
// When loIndex > 0, copies that the loopback interface of that index shows
// going out are dropped first (each loopback packet is seen leaving and
// arriving, as libpcap also knows); bound says that the socket listens on
// that interface only. This part uses Linux extensions that bpf.VM does
// not run.
func portFilter(ports []uint16, ether bool, snap uint32, loIndex int, bound bool) ([]bpf.Instruction, error) {
	if len(ports) > maxFilterPorts {
		ports = nil
	}
	var b bpfBuilder
	if loIndex > 0 {
		if !bound {
			b.add(bpf.LoadExtension{Num: bpf.ExtInterfaceIndex})
			b.jump(bpf.JumpEqual, uint32(loIndex), "", "frame")
		}
		b.add(bpf.LoadExtension{Num: bpf.ExtType})
		b.jump(bpf.JumpEqual, packetOutgoing, "", "frame")
		b.add(bpf.RetConstant{Val: 0})
	}
	b.label("frame")
	// Each test jumps to a nearby "ja", as the blocks may be far away.
	if ether {
		b.add(bpf.LoadAbsolute{Off: 12, Size: 2})
		b.jump(bpf.JumpEqual, etherIPv4, "to ip4@14", "")
		b.jump(bpf.JumpEqual, etherIPv6, "to ip6@14", "")
		b.jump(bpf.JumpEqual, etherDot1Q, "vlan", "")
		b.jump(bpf.JumpEqual, etherQinQ, "vlan", "to reject")
		b.label("vlan")
		b.add(bpf.LoadAbsolute{Off: 16, Size: 2})
		b.jump(bpf.JumpEqual, etherIPv4, "to ip4@18", "")
		b.jump(bpf.JumpEqual, etherIPv6, "to ip6@18", "")
		b.jump(bpf.JumpEqual, etherDot1Q, "to accept", "to reject")
		for _, l := range []string{"ip4@14", "ip6@14", "ip4@18", "ip6@18", "accept", "reject"} {
			b.label("to " + l)
			b.ja(l)
		}
		ipv4Block(&b, 14, ports, snap)
		ipv6Block(&b, 14, ports, snap)
		ipv4Block(&b, 18, ports, snap)
		ipv6Block(&b, 18, ports, snap)
	} else {
		b.add(bpf.LoadAbsolute{Off: 0, Size: 1}, bpf.ALUOpConstant{Op: bpf.ALUOpAnd, Val: 0xf0})
		b.jump(bpf.JumpEqual, 0x40, "to ip4@0", "")
		b.jump(bpf.JumpEqual, 0x60, "to ip6@0", "to reject")
		for _, l := range []string{"ip4@0", "ip6@0", "reject"} {
			b.label("to " + l)
			b.ja(l)
		}
		ipv4Block(&b, 0, ports, snap)
		ipv6Block(&b, 0, ports, snap)
	}
	b.label("accept")
	b.add(bpf.RetConstant{Val: snap})
	b.label("reject")
	b.add(bpf.RetConstant{Val: 0})
	return b.program()
}

// ipv4Block tests an IPv4 packet at offset nh. It ends with its own
// returns, so that its jumps stay short however many ports there are.
func ipv4Block(b *bpfBuilder, nh uint32, ports []uint16, snap uint32) {
	name := fmt.Sprintf("ip4@%d", nh)
	yes, no := name+"/accept", name+"/reject"
	b.label(name)
	b.add(bpf.LoadAbsolute{Off: nh + 9, Size: 1})
	b.jump(bpf.JumpEqual, protoTCP, "", no)
	b.add(bpf.LoadAbsolute{Off: nh + 6, Size: 2})
	b.jump(bpf.JumpBitsSet, 0x1fff, yes, "") // a fragment after the first
	if len(ports) > 0 {
		b.add(bpf.LoadMemShift{Off: nh})
		for _, off := range []uint32{0, 2} {
			b.add(bpf.LoadIndirect{Off: nh + off, Size: 2})
			for _, p := range ports {
				b.jump(bpf.JumpEqual, uint32(p), yes, "")
			}
		}
		b.add(bpf.RetConstant{Val: 0})
	}
	b.label(yes)
	b.add(bpf.RetConstant{Val: snap})
	b.label(no)
	b.add(bpf.RetConstant{Val: 0})
}

// ipv6Block tests an IPv6 packet at offset nh.
func ipv6Block(b *bpfBuilder, nh uint32, ports []uint16, snap uint32) {
	name := fmt.Sprintf("ip6@%d", nh)
	yes, no, tcp := name+"/accept", name+"/reject", name+"/tcp"
	b.label(name)
	b.add(bpf.LoadAbsolute{Off: nh + 6, Size: 1})
	b.jump(bpf.JumpEqual, protoTCP, tcp, "")
	for _, ext := range []uint32{protoHopByHop, protoRouting, protoFragment} {
		b.jump(bpf.JumpEqual, ext, yes, "")
	}
	b.jump(bpf.JumpEqual, protoDestOpts, yes, no)
	b.label(tcp)
	if len(ports) > 0 {
		for _, off := range []uint32{40, 42} {
			b.add(bpf.LoadAbsolute{Off: nh + off, Size: 2})
			for _, p := range ports {
				b.jump(bpf.JumpEqual, uint32(p), yes, "")
			}
		}
		b.add(bpf.RetConstant{Val: 0})
	}
	b.label(yes)
	b.add(bpf.RetConstant{Val: snap})
	b.label(no)
	b.add(bpf.RetConstant{Val: 0})
}

// bpfRaw is an assembled instruction, as SetBPF takes them.
type bpfRaw = bpf.RawInstruction

// assemble turns a program into raw instructions.
func assemble(prog []bpf.Instruction) ([]bpfRaw, error) {
	raw, err := bpf.Assemble(prog)
	if err != nil {
		return nil, fmt.Errorf("reassembly: bpf: %w", err)
	}
	return raw, nil
}
