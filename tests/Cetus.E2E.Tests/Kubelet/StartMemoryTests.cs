using System.Globalization;
using System.Text.RegularExpressions;
using Cetus.Cri.Fake;
using Cetus.Testing;
using Xunit;

namespace Cetus.E2E.Tests.Kubelet;

/// <summary>What <c>cetus up</c> gives back once its node is Ready (its start-up heap, and the binary's pages only it maps).</summary>
public sealed class StartMemoryTests
{
    [Fact]
    public async Task Up_GivesItsStartMemoryBack_OnceTheNodeIsReady()
    {
        // A copy of the binary that no other process maps: the kernel reclaims only pages that no other process maps,
        // and the other tests' cetus processes all map out/cetus.
        using var directory = new TempDirectory("start-memory");
        var binary = directory.File("cetus");
        File.Copy(Path.Combine(CetusServerProcess.RepositoryRoot(), "out", "cetus"), binary); // with its mode: executable
        await using var cri = await FakeCriServer.StartAsync(new FakeRuntime(new FakeRuntimeOptions { PodIPPrefix = "10.43.0." }));
        await using var up = await CetusServerProcess.StartUpAsync(cri.Endpoint, "memory-node", binary: binary);

        // The compacting collection, the C heap's trim and the binary's start-up pages given back: ~143 → ~98 MB here.
        var line = await Wait.ForAsync(
            () => Task.FromResult(Regex.Match(up.Log, @"start-up memory given back: resident (\d+) → (\d+) MB")),
            m => m.Success,
            "the start-up memory line",
            TimeSpan.FromSeconds(60));
        var (before, after) = (int.Parse(line.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(line.Groups[2].Value, CultureInfo.InvariantCulture));
        Assert.True(after < before - 20, $"resident {before} → {after} MB: less than 20 MB given back");
    }
}
