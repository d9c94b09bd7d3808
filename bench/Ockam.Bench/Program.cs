using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(Ockam.Bench.PrimitiveBenchmarks).Assembly).Run(args);
