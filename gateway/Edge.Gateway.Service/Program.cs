using Edge.Gateway.Service;

return await GatewayProgram.RunAsync(args).ConfigureAwait(false);
