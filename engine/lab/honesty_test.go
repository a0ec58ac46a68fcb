package lab

import (
	"strings"
	"testing"
	"time"
)

// The lab says when the machine, not the protocol, may have set the pace
// (and when the rate limits were broken), and stays quiet otherwise.
func TestCheckHonestySaysWhenTheMachineLimited(t *testing.T) {
	uploader := func(util float64) NodeResult { return NodeResult{Utilisation: util} }
	for _, tc := range []struct {
		name    string
		cpu     CPUUse
		util    float64
		d       time.Duration
		limited bool
		note    string
	}{
		{"quiet machine, busy uploaders", CPUUse{Cores: 2, Process: 0.3, System: 0.4}, 0.9, 2 * time.Second, false, ""},
		{"the lab itself saturates the cores", CPUUse{Cores: 2, Process: 0.9, System: 0.95}, 0.9, 2 * time.Second, true, "the machine, not the protocol"},
		{"other programs busy", CPUUse{Cores: 2, Process: 0.2, System: 0.9}, 0.9, 2 * time.Second, true, "other programs competed"},
		{"busy cores, idle uploaders", CPUUse{Cores: 2, Process: 0.5, System: 0.7}, 0.3, 2 * time.Second, true, "the machine may be the bottleneck"},
		{"faster than the limits allow", CPUUse{Cores: 2, Process: 0.1, System: 0.1}, 0.9, time.Second / 2, false, "the rate limiting is broken"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &run{res: &Result{
				Finished: true, D: tc.d, Floor: time.Second, CPU: tc.cpu,
				Nodes: []NodeResult{uploader(tc.util), uploader(tc.util), {Utilisation: -1}},
			}}
			r.checkHonesty()
			if r.res.MachineLimited != tc.limited {
				t.Errorf("MachineLimited = %v, want %v (notes %q)", r.res.MachineLimited, tc.limited, r.res.Notes)
			}
			notes := strings.Join(r.res.Notes, "\n")
			if tc.note == "" && notes != "" || !strings.Contains(notes, tc.note) {
				t.Errorf("notes %q, want one saying %q", notes, tc.note)
			}
		})
	}
}
