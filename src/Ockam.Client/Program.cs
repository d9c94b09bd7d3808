// The `ockam` command-line tool. Its commands (identity, enroll, relay, send, listen ...) arrive with the edge-node library.
var version = typeof(Program).Assembly.GetName().Version;
if (args is ["--version"])
{
    Console.WriteLine($"ockam {version}");
    return 0;
}

Console.Error.WriteLine("usage: ockam --version");
return 2;
