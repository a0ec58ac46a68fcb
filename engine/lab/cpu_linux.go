package lab

import (
	"bufio"
	"os"
	"strconv"
	"strings"
)

// readSystemTimes reads the machine's cumulative CPU ticks from the first
// line of /proc/stat ("cpu  user nice system idle iowait irq softirq
// steal ..."); idle counts idle and iowait.
func readSystemTimes() (systemTimes, bool) {
	f, err := os.Open("/proc/stat")
	if err != nil {
		return systemTimes{}, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	if !sc.Scan() {
		return systemTimes{}, false
	}
	fields := strings.Fields(sc.Text())
	if len(fields) < 5 || fields[0] != "cpu" {
		return systemTimes{}, false
	}
	var t systemTimes
	for i, s := range fields[1:] {
		if i >= 8 { // guest time is already counted in user
			break
		}
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return systemTimes{}, false
		}
		t.total += n
		if i == 3 || i == 4 {
			t.idle += n
		}
	}
	return t, true
}
