using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Ockam.Grains.Contracts;
using Ockam.Silo.Configuration;
using Ockam.Silo.Storage;
using Orleans.Storage;

namespace Ockam.Silo.Tests;

/// <summary>
/// One write turn per SQLite file: Orleans' grain-state writes wait for a row store's commit in it, instead of meeting
/// it inside SQLite and sleeping in the driver's 150 ms retry (their connections have no busy_timeout).
/// </summary>
public sealed class SqliteWriteGateTests : IDisposable
{
    private readonly TempDirectory data = new();

    [Fact]
    public async Task Writers_of_one_file_take_turns_and_another_files_writers_do_not_wait()
    {
        var gates = new SqliteWriteGates();
        var gate = gates.For(Path.Combine(data.Path, "a.db"));
        Assert.Same(gate, gates.For(Path.Combine(data.Path, "x", "..", "a.db")));
        var first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var holding = gate.WriteAsync(() => first.Task, CancellationToken.None);
        var secondRan = false;
        var second = gate.WriteAsync(() =>
        {
            secondRan = true;
            return Task.CompletedTask;
        }, CancellationToken.None);

        // Another file's writer goes at once; this file's second writer still waits for the first.
        await gates.For(Path.Combine(data.Path, "b.db")).WriteAsync(() => Task.CompletedTask, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(secondRan);

        first.SetResult();
        await Task.WhenAll(holding, second).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(secondRan);
    }

    [Fact]
    public async Task The_silos_grain_state_writes_on_SQLite_wait_for_the_files_turn()
    {
        await using var silo = await RunningSilo.StartAsync(data.Path);
        Assert.IsType<SqliteGrainStorage>(silo.Services.GetRequiredKeyedService<IGrainStorage>(Grains.Storage.ProviderName));
        var gate = silo.Services.GetRequiredService<SqliteWriteGates>().For(silo.Services.GetRequiredService<IOptions<OckamOptions>>().Value.SqlitePath);
        var authority = silo.Grains.GetGrain<IAuthorityGrain>("default");
        var sensor = new Dictionary<string, byte[]> { ["ockam.role"] = "sensor"u8.ToArray() };
        await authority.CreateOperatorTokenAsync(sensor, TimeSpan.FromHours(1), uses: 1);

        // A commit holds the turn: a new token (its grain's state written) waits for it, while reads go on.
        var commit = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var holding = gate.WriteAsync(() => commit.Task, CancellationToken.None);
        var creating = authority.CreateOperatorTokenAsync(sensor, TimeSpan.FromHours(1), uses: 1);
        await authority.GetIdentityAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        Assert.False(creating.IsCompleted, "a grain-state write went past a commit holding the file's turn");

        commit.SetResult();
        await holding;
        Assert.NotEmpty(await creating.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    public void Dispose() => data.Dispose();
}
