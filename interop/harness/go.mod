module github.com/gatehouse/gatehouse/interop/harness

go 1.26.8
