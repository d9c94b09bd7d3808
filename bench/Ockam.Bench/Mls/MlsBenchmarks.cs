using BenchmarkDotNet.Attributes;
using Ockam.Identity.Mls;

namespace Ockam.Bench.Mls;

/// <summary>
/// What a member of a room of <see cref="Members"/> spends to make a commit (RFC 9420 §12.4): one adding a member
/// (no path), one removing a member (with its UpdatePath), each encoded for the wire. Every invocation starts from
/// the same state: the commit is discarded, not merged. The global setup prints the sizes of the messages
/// ("MLS-SIZES ..." in the log, read by bench/run.sh).
/// </summary>
public class MlsCommitBenchmarks : IDisposable
{
    private MlsRoom room = null!;
    private KeyPackage joiner = null!;

    [Params(10, 100, 1000, 10000)]
    public int Members { get; set; }

    [GlobalSetup(Targets = [nameof(AddCommit), nameof(AddCommitTreeOutOfBand)])]
    public void SetupAdd()
    {
        room = MlsRoom.Build(Members);
        joiner = room.NewKeyPackage("joiner");
    }

    [GlobalSetup(Target = nameof(RemoveCommit))]
    public void SetupRemove()
    {
        room = MlsRoom.Build(Members, fillAroundRemoved: true);
        joiner = room.NewKeyPackage("joiner");
        PrintSizes();
    }

    [Benchmark]
    public int AddCommit() => Commit(new Proposal(new AddProposal(joiner)));

    [Benchmark]
    public int AddCommitTreeOutOfBand() => Commit(new Proposal(new AddProposal(joiner)), ratchetTreeInWelcome: false);

    [Benchmark]
    public int RemoveCommit() => Commit(new Proposal(new RemoveProposal(room.Removed)));

    [GlobalCleanup]
    public void Dispose()
    {
        room?.Dispose();
        GC.SuppressFinalize(this);
    }

    private int Commit(Proposal proposal, bool ratchetTreeInWelcome = true)
    {
        var group = room.Founder.Group;
        var pending = group.CommitAsync([proposal], ratchetTreeInWelcome: ratchetTreeInWelcome).GetAwaiter().GetResult();
        var length = pending.Commit.Encode().Length;
        group.DiscardPendingCommit();
        return length;
    }

    private void PrintSizes()
    {
        var group = room.Founder.Group;
        var withTree = group.CommitAsync([new Proposal(new AddProposal(joiner))]).GetAwaiter().GetResult();
        var add = withTree.Commit.Encode().Length;
        var welcomeWithTree = MlsMessage.Of(withTree.Welcome!).Encode().Length;
        group.DiscardPendingCommit();
        var withoutTree = group.CommitAsync([new Proposal(new AddProposal(joiner))], ratchetTreeInWelcome: false).GetAwaiter().GetResult();
        var welcomeWithoutTree = MlsMessage.Of(withoutTree.Welcome!).Encode().Length;
        var tree = group.ExportRatchetTree().Encode().Length;
        group.DiscardPendingCommit();
        var remove = Commit(new Proposal(new RemoveProposal(room.Removed)));
        Console.WriteLine(
            $"MLS-SIZES members={Members} add_commit={add} welcome_with_tree={welcomeWithTree} welcome_without_tree={welcomeWithoutTree} ratchet_tree={tree} remove_commit={remove}");
    }
}

/// <summary>
/// What a member of a room spends to process another member's commit: parse it and move to its epoch. A processed
/// commit cannot be undone, so the setup has the founder make a chain of commits (merging each) and each iteration
/// (one invocation) processes the next; the room stays the same size: the add chain grows it by one a commit, the
/// remove chain re-adds the removed member between iterations (not measured).
/// </summary>
[InvocationCount(1)]
public class MlsProcessBenchmarks : IDisposable
{
    private const int Chain = 40;
    private readonly List<byte[]> commits = [];
    private readonly List<byte[]> interludes = [];
    private MlsRoom room = null!;
    private int next;

    [Params(10, 100, 1000, 10000)]
    public int Members { get; set; }

    [GlobalSetup(Target = nameof(ProcessAddCommit))]
    public void SetupAdd()
    {
        room = MlsRoom.Build(Members);
        for (var i = 0; i < Chain; i++)
        {
            commits.Add(Merged(new Proposal(new AddProposal(room.NewKeyPackage($"joiner{i}")))));
        }
    }

    [GlobalSetup(Target = nameof(ProcessRemoveCommit))]
    public void SetupRemove()
    {
        room = MlsRoom.Build(Members, fillAroundRemoved: true);
        for (var i = 0; i < Chain; i++)
        {
            commits.Add(Merged(new Proposal(new RemoveProposal(room.Removed))));
            interludes.Add(Merged(new Proposal(new AddProposal(room.NewKeyPackage($"again{i}")))));
        }
    }

    [IterationSetup(Target = nameof(ProcessRemoveCommit))]
    public void ReAdd()
    {
        if (next > 0)
        {
            room.Receiver.Group.ProcessCommit(MlsMessage.Decode(interludes[next - 1]));
        }
    }

    [Benchmark]
    public void ProcessAddCommit() => room.Receiver.Group.ProcessCommit(MlsMessage.Decode(Next()));

    [Benchmark]
    public void ProcessRemoveCommit() => room.Receiver.Group.ProcessCommit(MlsMessage.Decode(Next()));

    [GlobalCleanup]
    public void Dispose()
    {
        room?.Dispose();
        GC.SuppressFinalize(this);
    }

    private byte[] Next() => next < commits.Count
        ? commits[next++]
        : throw new InvalidOperationException($"more than {Chain} iterations: lengthen the chain of commits");

    private byte[] Merged(Proposal proposal)
    {
        var pending = room.Founder.Group.CommitAsync([proposal]).GetAwaiter().GetResult();
        room.Founder.Group.MergePendingCommit();
        return pending.Commit.Encode();
    }
}

/// <summary>
/// What a new member spends to join a room from a Welcome with the ratchet tree in its GroupInfo: parse it, open it,
/// validate the whole tree (every leaf signature, parent hashes, tree hash) and enter the epoch. Each iteration a
/// new joiner and a Welcome for it (the founder's commit discarded), made before the iteration, not measured.
/// </summary>
[InvocationCount(1)]
public class MlsWelcomeBenchmarks : IDisposable
{
    private MlsRoom room = null!;
    private MlsBenchMember joiner = null!;
    private byte[] welcome = null!;

    [Params(10, 100, 1000, 10000)]
    public int Members { get; set; }

    [GlobalSetup]
    public void Setup() => room = MlsRoom.Build(Members);

    [IterationSetup]
    public void NewJoiner()
    {
        joiner = MlsBenchMember.Create("joiner");
        var pending = room.Founder.Group.CommitAsync([new Proposal(new AddProposal(joiner.Bundle.KeyPackage))], ratchetTreeInWelcome: true).GetAwaiter().GetResult();
        welcome = MlsMessage.Of(pending.Welcome!).Encode();
        room.Founder.Group.DiscardPendingCommit();
    }

    [Benchmark]
    public void JoinFromWelcome() => joiner.Join(MlsMessage.Decode(welcome).Welcome!, null);

    [IterationCleanup]
    public void DisposeJoiner() => joiner.Dispose();

    [GlobalCleanup]
    public void Dispose()
    {
        room?.Dispose();
        GC.SuppressFinalize(this);
    }
}
