package ui

import "testing"

func TestStatusTexts(t *testing.T) {
	rates, disk, net := statusTexts(statusInfo{DownRate: 2048, Port: 6881, FreeDisk: 10 << 30, DHTNodes: -1})
	if rates != "↓ 2.0 KiB/s   ↑ 0 B/s" || disk != "Free in download folder: 10 GiB" || net != "Listening on port 6881" {
		t.Errorf("got %q / %q / %q", rates, disk, net)
	}
	_, disk, net = statusTexts(statusInfo{FreeDisk: -1, PortProblem: "6881 is taken; using 51413", DHTNodes: 12})
	if disk != "Free space unknown" || net != "Port: 6881 is taken; using 51413 · DHT 12 nodes" {
		t.Errorf("got %q / %q", disk, net)
	}
}
