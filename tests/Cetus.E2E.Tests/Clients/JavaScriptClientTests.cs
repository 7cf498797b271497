using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Cetus.Testing;
using Xunit;

namespace Cetus.E2E.Tests.Clients;

/// <summary>
/// The official JavaScript client (@kubernetes/client-node): runs the node:test program in tests/js-client against a
/// real cetus server on each datastore (<see cref="JavaScriptClientOnSqliteTests"/>, <see cref="JavaScriptClientOnEtcdTests"/>).
/// Its packages come from <c>npm ci</c>, which ./test.sh runs.
/// </summary>
public abstract class JavaScriptClientScenarios(CetusServerProcess server)
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task NodeTests_AllPass()
    {
        var folder = Path.Combine(CetusServerProcess.RepositoryRoot(), "tests", "js-client");
        Assert.True(
            Directory.Exists(Path.Combine(folder, "node_modules", "@kubernetes", "client-node")),
            $"{folder}/node_modules is missing: run ./test.sh, or npm ci in {folder}");

        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("--test");
        start.ArgumentList.Add("--test-reporter=spec");
        start.Environment["CETUS_KUBECONFIG"] = server.Kubeconfig;
        start.Environment["NO_COLOR"] = "1";

        using var node = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        var stdout = node.StandardOutput.ReadToEndAsync();
        var stderr = node.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Limit);
        try
        {
            await node.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            node.Kill(entireProcessTree: true);
            await node.WaitForExitAsync();
            Assert.Fail($"node --test did not finish in {Limit.TotalSeconds} s:\n{await stdout}\n{await stderr}");
        }

        var output = $"node --test exited {node.ExitCode}\nstdout:\n{await stdout}\nstderr:\n{await stderr}";
        Assert.True(node.ExitCode == 0, output);
        // The spec reporter's summary: every test that ran passed, and some ran (a file that matched nothing exits 0 too).
        var tests = Regex.Match(output, @"(?m)^\S* ?tests (\d+)$");
        var passed = Regex.Match(output, @"(?m)^\S* ?pass (\d+)$");
        Assert.True(tests.Success && passed.Success, output);
        Assert.True(int.Parse(tests.Groups[1].Value, CultureInfo.InvariantCulture) > 0, output);
        Assert.True(tests.Groups[1].Value == passed.Groups[1].Value, output);
    }
}

public sealed class JavaScriptClientOnSqliteTests(SqliteServerFixture fixture) : JavaScriptClientScenarios(fixture.Server), IClassFixture<SqliteServerFixture>;

public sealed class JavaScriptClientOnEtcdTests(EtcdServerFixture fixture) : JavaScriptClientScenarios(fixture.Server), IClassFixture<EtcdServerFixture>;
