//go:build !linux

package rbacbench

// ThreadCPU is unavailable here; the cpu-ns/op metric is then omitted.
func ThreadCPU() int64 { return 0 }
