using System.CommandLine;
using Edge.Simulator.Cli;

// Ctrl+C ends the scenario early; the run then lets the acts under way finish (up to 16 s), waits for the station
// and prints its summary. System.CommandLine would end the process 2 s after the signal, before any of that.
var invocation = new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(90) };
return await SimulatorCli.Build(Console.Out).Parse(args).InvokeAsync(invocation).ConfigureAwait(false);
