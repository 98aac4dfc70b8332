package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/gatehouse/gatehouse/internal/upstream/simulator"
)

// newSimulate runs the built-in model simulator on its own listener (plain
// HTTP), as an OpenAI-compatible upstream for tests and benchmarks.
func newSimulate() *cobra.Command {
	var addr, options string
	cmd := &cobra.Command{Use: "simulate", Short: "Run the built-in OpenAI-compatible model simulator on its own address"}
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		opts, err := simulator.ParseOptions(options)
		if err != nil {
			return err
		}
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return err
		}
		srv := &http.Server{Handler: simulator.New(opts), ReadHeaderTimeout: 10 * time.Second}
		fmt.Fprintf(cmd.OutOrStdout(), "simulator listening on http://%s/v1\n", ln.Addr())
		ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		go func() {
			<-ctx.Done()
			sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = srv.Shutdown(sctx)
		}()
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	}
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8000", "address to listen on (plain HTTP)")
	cmd.Flags().StringVar(&options, "options", "", "simulator options, e.g. ttft=20ms&per_token=5ms&error_rate=0.1")
	localHelp(cmd)
	return cmd
}
