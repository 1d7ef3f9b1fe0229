package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"
)

// writeSummaryTables prints the closing tables of a text run.
func writeSummaryTables(w io.Writer, s *Summary) error {
	fmt.Fprintf(w, "%d PDUs in %d connections", s.PDUs, s.Streams)
	if s.Gaps > 0 {
		fmt.Fprintf(w, ", %d gaps (%d bytes lost", s.Gaps, s.GapBytes)
		if s.MidStream > 0 {
			fmt.Fprintf(w, "; %d where the capture starts mid-stream", s.MidStream)
		}
		fmt.Fprint(w, ")")
	}
	fmt.Fprintln(w)
	rows := make([][]string, 0, len(s.Commands))
	for _, c := range s.Commands {
		rows = append(rows, []string{c.Name, fmt.Sprintf("0x%08x", c.Code), strconv.FormatInt(c.Count, 10)})
	}
	if err := renderTable(w, []string{"command", "command_id", "PDUs"}, rows); err != nil {
		return err
	}
	if len(s.Statuses) > 0 {
		rows = rows[:0]
		for _, c := range s.Statuses {
			rows = append(rows, []string{c.Name, fmt.Sprintf("0x%08x", c.Code), strconv.FormatInt(c.Count, 10)})
		}
		if err := renderTable(w, []string{"response status", "command_status", "responses"}, rows); err != nil {
			return err
		}
	}
	if len(s.Binds) > 0 {
		if err := writeBindTable(w, s); err != nil {
			return err
		}
	}
	if len(s.Issues) > 0 {
		rows = rows[:0]
		for _, ic := range s.Issues {
			rows = append(rows, []string{string(ic.Code), ic.Severity.String(), strconv.FormatInt(ic.Count, 10)})
		}
		if err := renderTable(w, []string{"issue", "severity", "count"}, rows); err != nil {
			return err
		}
	}
	if len(s.Capture) > 0 {
		rows = rows[:0]
		for i, c := range s.Capture {
			if c.Value != 0 || i == 0 { // zeros stay in the JSON summary
				rows = append(rows, []string{c.Name, strconv.FormatInt(c.Value, 10)})
			}
		}
		return renderTable(w, []string{"capture", "count"}, rows)
	}
	return nil
}

func renderTable(w io.Writer, header []string, rows [][]string) error {
	t := tablewriter.NewTable(w, tablewriter.WithHeaderAutoFormat(tw.Off))
	t.Header(header)
	if err := t.Bulk(rows); err != nil {
		return fmt.Errorf("report: table: %w", err)
	}
	if err := t.Render(); err != nil {
		return fmt.Errorf("report: table: %w", err)
	}
	return nil
}

// writeBindTable prints one row per bind: traffic, acceptance, latencies,
// receipt outcomes, window and throughput.
func writeBindTable(w io.Writer, s *Summary) error {
	fmt.Fprintf(w, "%d messages; receipts: %d matched, %d orphan, %d missing", s.Messages, s.ReceiptsMatched, s.ReceiptsOrphan, s.ReceiptsMissing)
	if s.ReceiptsUnsolicited > 0 {
		fmt.Fprintf(w, ", %d unsolicited", s.ReceiptsUnsolicited)
	}
	if s.ReceiptsDuplicate > 0 {
		fmt.Fprintf(w, ", %d duplicate", s.ReceiptsDuplicate)
	}
	if s.ReceiptsLate > 0 {
		fmt.Fprintf(w, ", %d late (after their message was written out)", s.ReceiptsLate)
	}
	if s.MessagesExpired+s.MessagesEvicted > 0 {
		fmt.Fprintf(w, "; messages given up: %d after the receipt timeout, %d over the table limit", s.MessagesExpired, s.MessagesEvicted)
	}
	fmt.Fprintf(w, "; requests unanswered: %d\n", s.RequestsUnanswered)
	rows := make([][]string, 0, len(s.Binds))
	lat := make([][]string, 0, len(s.Binds))
	for _, b := range s.Binds {
		acc := "-"
		if b.Submits > 0 {
			acc = strconv.FormatFloat(100*float64(b.Accepted)/float64(b.Submits), 'f', 1, 64) + "%"
		}
		errs, outs := joinCounts(b.Errors, 3), joinCounts(b.Outcomes, 4)
		rows = append(rows, []string{cell(b.SystemID), strings.Join(b.Modes, ","), strconv.Itoa(b.Connections),
			strconv.FormatInt(b.Submits, 10), acc, errs, fmt.Sprintf("%.1f / %d", b.MeanWindow, b.MaxWindow), fmt.Sprintf("%.1f / %d", b.MeanTPS, b.PeakTPS)})
		lat = append(lat, []string{cell(b.SystemID), latencyCell(b.Resp), latencyCell(b.Receipt), outs})
	}
	if err := renderTable(w, []string{"bind", "modes", "conns", "submits", "accepted", "submit errors", "window mean / max", "tps mean / peak"}, rows); err != nil {
		return err
	}
	return renderTable(w, []string{"bind", "submit→resp p50/p90/p99/max", "submit→receipt p50/p90/p99/max", "receipts"}, lat)
}

// joinCounts writes "NAME×n NAME×m" for the first limit entries, then "…".
func joinCounts(list []NamedCount, limit int) string {
	var sb strings.Builder
	for i, c := range list {
		if i == limit {
			sb.WriteString(" …")
			break
		}
		if i > 0 {
			sb.WriteByte(' ')
		}
		fmt.Fprintf(&sb, "%s×%d", cell(c.Name), c.Count)
	}
	return sb.String()
}

// cell makes sender-made text (system_id, receipt stat and err) safe for a
// terminal: printable as it is, quoted with escapes otherwise.
func cell(s string) string { return string(appendQuotedIfNeeded(nil, s)) }

func latencyCell(l LatencySummary) string {
	if l.Count == 0 {
		return "-"
	}
	if l.Max >= 10*time.Second || l.P50 >= time.Second {
		return fmt.Sprintf("%.1f/%.1f/%.1f/%.1f s", l.P50.Seconds(), l.P90.Seconds(), l.P99.Seconds(), l.Max.Seconds())
	}
	return fmt.Sprintf("%.1f/%.1f/%.1f/%.1f ms", millis(l.P50), millis(l.P90), millis(l.P99), millis(l.Max))
}
