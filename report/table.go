package report

import (
	"fmt"
	"io"
	"strconv"

	"github.com/olekukonko/tablewriter"
)

// writeSummaryTables prints the closing tables of a text run.
func writeSummaryTables(w io.Writer, s *Summary) error {
	fmt.Fprintf(w, "%d PDUs in %d connections", s.PDUs, s.Streams)
	if s.Gaps > 0 {
		fmt.Fprintf(w, ", %d gaps (%d bytes lost)", s.Gaps, s.GapBytes)
	}
	fmt.Fprintln(w)
	rows := make([][]string, 0, len(s.Commands))
	for _, c := range s.Commands {
		rows = append(rows, []string{c.Name, fmt.Sprintf("0x%08x", c.Code), strconv.FormatInt(c.Count, 10)})
	}
	if err := renderTable(w, []string{"command", "command_id", "pdus"}, rows); err != nil {
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
		for _, c := range s.Capture {
			rows = append(rows, []string{c.Name, strconv.FormatInt(c.Value, 10)})
		}
		return renderTable(w, []string{"capture", "count"}, rows)
	}
	return nil
}

func renderTable(w io.Writer, header []string, rows [][]string) error {
	t := tablewriter.NewWriter(w)
	t.Header(header)
	if err := t.Bulk(rows); err != nil {
		return fmt.Errorf("report: table: %w", err)
	}
	if err := t.Render(); err != nil {
		return fmt.Errorf("report: table: %w", err)
	}
	return nil
}
