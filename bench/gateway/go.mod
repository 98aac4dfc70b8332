module github.com/gatehouse/gatehouse/bench/gateway

go 1.26.8
