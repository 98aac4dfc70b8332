//go:build !linux

package rbaccompare

// threadCPU is unavailable here; the cpu-ns/op metric is then omitted.
func threadCPU() int64 { return 0 }
