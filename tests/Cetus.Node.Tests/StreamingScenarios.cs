using Cetus.Testing;
using Xunit;

namespace Cetus.Node.Tests;

/// <summary>
/// Issue 8 end to end: the real kubectl's exec, attach, logs and port-forward through the API server to the kubelet's
/// HTTPS server, then to containerd's stream server, on pods running in the real containerd.
/// </summary>
[Collection(NodeCollection.Name)]
public sealed class StreamingScenarios(NodeFixture fixture) : NodeScenario(fixture)
{
    [Fact]
    public async Task Exec_NonInteractive_RelaysStdoutAndStderr_AndExitsWithTheCommandsCode()
    {
        await RunSleeperAsync("exec-plain");
        var result = await Kubectl.RunAsync(Node.Cluster.Kubeconfig, "exec", "-n", _ns, "exec-plain", "--", "sh", "-c", "echo to-stdout; echo to-stderr >&2; exit 3");
        Assert.Equal(3, result.ExitCode);
        Assert.Equal("to-stdout\n", result.Stdout);
        Assert.Contains("to-stderr", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("command terminated with exit code 3", result.Stderr, StringComparison.Ordinal);

        var ok = await Kubectl.RunAsync(Node.Cluster.Kubeconfig, "exec", "-n", _ns, "exec-plain", "--", "cat", "/etc/hostname");
        Assert.True(ok.ExitCode == 0, ok.ToString());
        Assert.Equal("exec-plain", ok.Stdout.Trim());
    }

    [Fact]
    public async Task Exec_Interactive_DrivesAShellInAPseudoTerminal()
    {
        await RunSleeperAsync("exec-tty");
        var result = await Kubectl.RunInTerminalAsync(Node.Cluster.Kubeconfig, "echo $((6*7))\ntty\nexit 5\n", "exec", "-it", "-n", _ns, "exec-tty", "--", "sh");
        Assert.True(result.ExitCode == 5, result.ToString());
        Assert.Contains("42", result.Stdout, StringComparison.Ordinal);
        // The shell's stdin is a terminal the runtime allocated.
        Assert.Contains("/dev/pts/", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Attach_ShowsTheRunningContainersOutput()
    {
        await ApplyAsync($$$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: ticker, namespace: {{{_ns}}} }
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - name: tick
                image: {{{Containerd.BusyboxImage}}}
                command: [sh, -c, "i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.3; done"]
            """);
        await WaitForPodAsync("ticker", IsReady, TimeSpan.FromSeconds(60));
        await using var attach = Kubectl.Start(Node.Cluster.Kubeconfig, "attach", "-n", _ns, "ticker");
        // Lines printed after the attach began arrive through it, in order.
        var first = await NextTickAsync(attach);
        var second = await NextTickAsync(attach);
        Assert.Equal(first + 1, second);
    }

    [Fact]
    public async Task Exec_RefusesWhatCannotWork_WithClearErrors_AndTheKubeletStaysHealthy()
    {
        await RunSleeperAsync("exec-errors");
        var missing = await Kubectl.RunAsync(Node.Cluster.Kubeconfig, "exec", "-n", _ns, "exec-errors", "-c", "nope", "--", "true");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("container nope is not valid for pod exec-errors", missing.Stderr, StringComparison.Ordinal);

        var noCommand = await Kubectl.RunAsync(Node.Cluster.Kubeconfig, "exec", "-n", _ns, "exec-errors", "--", "/no/such/binary");
        Assert.NotEqual(0, noCommand.ExitCode);

        await ApplyAsync($$$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: done, namespace: {{{_ns}}} }
            spec:
              restartPolicy: Never
              containers:
              - name: once
                image: {{{Containerd.BusyboxImage}}}
                command: ["true"]
            """);
        await WaitForPodAsync("done", p => p.Status?.Phase == "Succeeded", TimeSpan.FromSeconds(60));
        var completed = await Kubectl.RunAsync(Node.Cluster.Kubeconfig, "exec", "-n", _ns, "done", "--", "true");
        Assert.Equal(1, completed.ExitCode);
        Assert.Contains("cannot exec into a container in a completed pod; current phase is Succeeded", completed.Stderr, StringComparison.Ordinal);

        var still = await Kubectl.RunAsync(Node.Cluster.Kubeconfig, "exec", "-n", _ns, "exec-errors", "--", "echo", "alive");
        Assert.True(still.ExitCode == 0, still.ToString());
        Assert.Equal("alive\n", still.Stdout);
    }

    private async Task RunSleeperAsync(string name)
    {
        await ApplyAsync($$$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: {{{name}}}, namespace: {{{_ns}}} }
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - name: main
                image: {{{Containerd.BusyboxImage}}}
                command: [sleep, "3600"]
            """);
        await WaitForPodAsync(name, IsReady, TimeSpan.FromSeconds(60));
    }

    private static async Task<int> NextTickAsync(KubectlProcess process)
    {
        while (true)
        {
            var line = await process.ReadLineAsync(TimeSpan.FromSeconds(20)) ?? throw new InvalidOperationException($"kubectl attach ended; stderr: {process.Stderr}");
            if (line.StartsWith("tick ", StringComparison.Ordinal) && int.TryParse(line[5..], out var tick))
            {
                return tick;
            }
        }
    }
}
