using Ockam.Client.Cli;

return await OckamCli.RunAsync(args);
