using Edge.Simulator.Cli;

return await SimulatorCli.Build(Console.Out).Parse(args).InvokeAsync().ConfigureAwait(false);
