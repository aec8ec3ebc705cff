using System.CommandLine;
using Edge.Gateway.Service;

// The host handles SIGTERM itself (a clean stop within systemd's TimeoutStopSec); System.CommandLine would end the
// process 2 s after the signal.
var invocation = new InvocationConfiguration { ProcessTerminationTimeout = null };
return await GatewayCli.Build(Console.Out, Console.Error).Parse(args).InvokeAsync(invocation).ConfigureAwait(false);
