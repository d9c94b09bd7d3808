using Ockam.Cli;

return await OckamCli.RunAsync(args);
