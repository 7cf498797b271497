using k8s;
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
    public async Task Exec_WithPipedStdin_DeliversItsEnd_SoCatAndKubectlCpFinish()
    {
        await RunSleeperAsync("exec-stdin");
        var piped = await Kubectl.RunWithInputAsync(Node.Cluster.Kubeconfig, "first\nsecond\n", "exec", "-i", "-n", _ns, "exec-stdin", "--", "sh", "-c", "cat; echo eof-seen");
        Assert.True(piped.ExitCode == 0, piped.ToString());
        Assert.Equal("first\nsecond\neof-seen\n", piped.Stdout);

        // kubectl cp streams a tar into `tar xf -` in the container: it only ends when the end of stdin gets there.
        var local = Path.Combine(Path.GetTempPath(), $"cetus-cp-{Guid.NewGuid():N}.txt");
        await File.WriteAllTextAsync(local, "copied into the pod\n");
        try
        {
            var copy = await Kubectl.RunAsync(Node.Cluster.Kubeconfig, "cp", local, $"{_ns}/exec-stdin:/tmp/copied.txt");
            Assert.True(copy.ExitCode == 0, copy.ToString());
        }
        finally
        {
            File.Delete(local);
        }

        var read = await Kubectl.RunAsync(Node.Cluster.Kubeconfig, "exec", "-n", _ns, "exec-stdin", "--", "cat", "/tmp/copied.txt");
        Assert.Equal("copied into the pod\n", read.Stdout);
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

    [Fact]
    public async Task Logs_Plain_Tail_Container_AndFollowShowsLinesAsTheyAreWritten()
    {
        await ApplyAsync($$$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: talker, namespace: {{{_ns}}} }
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - name: talk
                image: {{{Containerd.BusyboxImage}}}
                command: [sh, -c, "i=0; while true; do echo line $i; echo oops $i >&2; i=$((i+1)); sleep 0.3; done"]
              - name: quiet
                image: {{{Containerd.BusyboxImage}}}
                command: [sh, -c, "echo only-once; sleep 3600"]
            """);
        await WaitForPodAsync("talker", IsReady, TimeSpan.FromSeconds(60));
        await Wait.ForAsync(async () => (await Kubectl.RunAsync(Node.Cluster.Kubeconfig, "logs", "-n", _ns, "talker", "-c", "talk")).Stdout, s => s.Contains("line 3", StringComparison.Ordinal) && s.Contains("oops 3", StringComparison.Ordinal), "four lines on each stream", TimeSpan.FromSeconds(30));

        var all = await Kubectl.RunAsync(Node.Cluster.Kubeconfig, "logs", "-n", _ns, "talker", "-c", "talk");
        Assert.True(all.ExitCode == 0, all.ToString());
        var lines = all.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        // stdout and stderr both, each line whole and each stream in the order written (the runtime reads the two
        // pipes separately, so how they interleave is not fixed).
        var stdout = lines.Where(l => l.StartsWith("line ", StringComparison.Ordinal)).ToList();
        var stderr = lines.Where(l => l.StartsWith("oops ", StringComparison.Ordinal)).ToList();
        Assert.Equal(lines.Length, stdout.Count + stderr.Count);
        Assert.Equal(Enumerable.Range(0, stdout.Count).Select(i => $"line {i}"), stdout);
        Assert.Equal(Enumerable.Range(0, stderr.Count).Select(i => $"oops {i}"), stderr);
        Assert.True(stdout.Count >= 4 && stderr.Count >= 4, all.Stdout);

        var tail = await Kubectl.RunAsync(Node.Cluster.Kubeconfig, "logs", "-n", _ns, "talker", "-c", "talk", "--tail=2");
        Assert.Equal(2, tail.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);

        var quiet = await Kubectl.RunAsync(Node.Cluster.Kubeconfig, "logs", "-n", _ns, "talker", "-c", "quiet", "--timestamps");
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z only-once\n$", quiet.Stdout);

        var defaulted = await Kubectl.RunAsync(Node.Cluster.Kubeconfig, "logs", "-n", _ns, "talker", "--tail=1");
        Assert.Contains("Defaulted container \"talk\"", defaulted.Stderr, StringComparison.Ordinal);

        await using var follow = Kubectl.Start(Node.Cluster.Kubeconfig, "logs", "-f", "-n", _ns, "talker", "-c", "talk", "--tail=0");
        // Only lines written after the follow began arrive (tail 0), live and in order.
        var first = await NextNumberAsync(follow, "line ");
        var second = await NextNumberAsync(follow, "line ");
        Assert.Equal(first + 1, second);
    }

    [Fact]
    public async Task Logs_Follow_ContinuesAcrossALogRotation()
    {
        // 400 KiB at once (past the node's 256Ki --container-log-max-size), then a numbered mark every 0.3 s.
        await ApplyAsync($$$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: rotator, namespace: {{{_ns}}} }
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - name: noisy
                image: {{{Containerd.BusyboxImage}}}
                command: [sh, -c, "head -c 409600 /dev/zero | tr '\\0' x | fold -w 1023; i=0; while true; do echo mark $i; i=$((i+1)); sleep 0.3; done"]
            """);
        var pod = await WaitForPodAsync("rotator", IsReady, TimeSpan.FromSeconds(60));
        await using var follow = Kubectl.Start(Node.Cluster.Kubeconfig, "logs", "-f", "-n", _ns, "rotator", "--tail=1");
        var directory = $"/var/log/pods/{_ns}_rotator_{pod.Metadata.Uid}/noisy";
        var marks = new List<int> { await NextNumberAsync(follow, "mark ") };
        int? rotatedAt = null;
        // The kubelet checks logs every 10 s: within 30 s the log has been rotated, and marks keep coming after it.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(40);
        while (rotatedAt is null || marks.Count < marks.IndexOf(rotatedAt.Value) + 4)
        {
            Assert.True(DateTime.UtcNow < deadline, $"marks {string.Join(',', marks)}; rotated: {rotatedAt}; files: {string.Join(' ', Directory.GetFiles(directory))}");
            marks.Add(await NextNumberAsync(follow, "mark "));
            if (rotatedAt is null && Directory.GetFiles(directory).Any(f => !f.EndsWith(".log", StringComparison.Ordinal)))
            {
                rotatedAt = marks[^1];
            }
        }

        // No mark lost or repeated while the file was renamed away and reopened.
        Assert.Equal(Enumerable.Range(marks[0], marks.Count), marks);
    }

    [Fact]
    public async Task Logs_Previous_AfterARestart_AndClearErrorsWhenThereIsNone()
    {
        await ApplyAsync($$$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: crasher, namespace: {{{_ns}}} }
            spec:
              containers:
              - name: crash
                image: {{{Containerd.BusyboxImage}}}
                command: [sh, -c, "echo run-$(cat /proc/sys/kernel/random/uuid); sleep 1; exit 1"]
              - name: never
                image: localhost/cetus/no-such-image:1
                imagePullPolicy: Never
            """);
        await WaitForPodAsync("crasher", p => p.Status?.ContainerStatuses?.FirstOrDefault(c => c.Name == "crash")?.RestartCount >= 1, TimeSpan.FromSeconds(60));
        var previous = await Kubectl.RunAsync(Node.Cluster.Kubeconfig, "logs", "-n", _ns, "crasher", "-c", "crash", "--previous");
        Assert.True(previous.ExitCode == 0, previous.ToString());
        Assert.Matches("^run-[0-9a-f-]{36}\n$", previous.Stdout);
        var current = await Wait.ForAsync(
            async () => await Kubectl.RunAsync(Node.Cluster.Kubeconfig, "logs", "-n", _ns, "crasher", "-c", "crash"),
            r => r.ExitCode == 0 && r.Stdout.StartsWith("run-", StringComparison.Ordinal),
            "the current instance's log",
            TimeSpan.FromSeconds(30));
        Assert.NotEqual(previous.Stdout, current.Stdout);

        var waiting = await Kubectl.RunAsync(Node.Cluster.Kubeconfig, "logs", "-n", _ns, "crasher", "-c", "never");
        Assert.Equal(1, waiting.ExitCode);
        Assert.Contains("container \"never\" in pod \"crasher\" is waiting to start: ErrImageNeverPull", waiting.Stderr, StringComparison.Ordinal);
        var noPrevious = await Kubectl.RunAsync(Node.Cluster.Kubeconfig, "logs", "-n", _ns, "crasher", "-c", "never", "--previous");
        Assert.Contains("previous terminated container \"never\" in pod \"crasher\" not found", noPrevious.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Logs_OfADeployment_AndByLabel()
    {
        await ApplyAsync($$$"""
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: greeters, namespace: {{{_ns}}} }
            spec:
              replicas: 2
              selector: {matchLabels: {app: greeters}}
              template:
                metadata: {labels: {app: greeters}}
                spec:
                  terminationGracePeriodSeconds: 1
                  containers:
                  - name: greet
                    image: {{{Containerd.BusyboxImage}}}
                    command: [sh, -c, "echo hello-from-$(hostname); sleep 3600"]
            """);
        var pods = await WaitForReadyPodsAsync("app=greeters", 2, TimeSpan.FromSeconds(60));
        var deployment = await Kubectl.RunAsync(Node.Cluster.Kubeconfig, "logs", "-n", _ns, "deploy/greeters");
        Assert.True(deployment.ExitCode == 0, deployment.ToString());
        Assert.Matches("^hello-from-greeters-", deployment.Stdout);

        var byLabel = await Kubectl.RunAsync(Node.Cluster.Kubeconfig, "logs", "-n", _ns, "-l", "app=greeters");
        Assert.True(byLabel.ExitCode == 0, byLabel.ToString());
        foreach (var pod in pods)
        {
            Assert.Contains($"hello-from-{pod.Metadata.Name}", byLabel.Stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task PortForward_CarriesParallelHttpRequestsToAPortOnlyThePodsLoopbackHas()
    {
        // httpd listens on the pod's 127.0.0.1 only: nothing but a forward inside its network namespace reaches it.
        await ApplyAsync($$$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: forwarded, namespace: {{{_ns}}} }
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - name: web
                image: {{{Containerd.BusyboxImage}}}
                command: [sh, -c, "mkdir /www; echo hello-forward > /www/index.html; head -c 1048576 /dev/urandom > /www/big; httpd -f -p 127.0.0.1:8080 -h /www"]
                readinessProbe: {exec: {command: [test, -s, /www/big]}, periodSeconds: 1}
            """);
        await WaitForPodAsync("forwarded", IsReady, TimeSpan.FromSeconds(60));
        var big = await Kubectl.RunAsync(Node.Cluster.Kubeconfig, "exec", "-n", _ns, "forwarded", "--", "md5sum", "/www/big");
        var expected = big.Stdout.Split(' ')[0];

        await using var forward = Kubectl.Start(Node.Cluster.Kubeconfig, "port-forward", "-n", _ns, "pod/forwarded", "--address", "127.0.0.1", ":8080");
        var port = await ForwardedPortAsync(forward);
        var fetches = Enumerable.Range(0, 8).Select(async i =>
        {
            // A client each: eight connections at once, each its own pair of streams in the one SPDY session.
            using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            var bytes = await client.GetByteArrayAsync($"http://127.0.0.1:{port}/{(i % 2 == 0 ? "big" : "index.html")}");
            return (i, bytes);
        });
        foreach (var (i, bytes) in await Task.WhenAll(fetches))
        {
            if (i % 2 == 0)
            {
                Assert.Equal(expected, Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(bytes)));
            }
            else
            {
                Assert.Equal("hello-forward\n", System.Text.Encoding.UTF8.GetString(bytes));
            }
        }
    }

    [Fact]
    public async Task PortForward_ToAClosedPort_ReportsTheError_AndOtherForwardsKeepWorking()
    {
        await ApplyAsync($$$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: closed, namespace: {{{_ns}}} }
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - name: web
                image: {{{Containerd.BusyboxImage}}}
                command: [sh, -c, "mkdir /www; echo still-here > /www/index.html; httpd -f -p 8080 -h /www"]
            """);
        await WaitForPodAsync("closed", IsReady, TimeSpan.FromSeconds(60));
        await using (var broken = Kubectl.Start(Node.Cluster.Kubeconfig, "port-forward", "-n", _ns, "pod/closed", "--address", "127.0.0.1", ":9999"))
        {
            var port = await ForwardedPortAsync(broken);
            using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
            await Assert.ThrowsAsync<HttpRequestException>(() => client.GetStringAsync($"http://127.0.0.1:{port}/"));
            // kubectl reports the pod side's refusal and gives up the forward, as it does against a real kubelet.
            Assert.Equal(1, await broken.WaitForExitAsync(TimeSpan.FromSeconds(20)));
            Assert.Contains("error forwarding port 9999 to pod closed", broken.Stderr, StringComparison.Ordinal);
            Assert.Contains("connection refused", broken.Stderr, StringComparison.Ordinal);
        }

        await using var working = Kubectl.Start(Node.Cluster.Kubeconfig, "port-forward", "-n", _ns, "pod/closed", "--address", "127.0.0.1", ":8080");
        var workingPort = await ForwardedPortAsync(working);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
        Assert.Equal("still-here\n", await http.GetStringAsync($"http://127.0.0.1:{workingPort}/"));
    }

    // The local port from kubectl's "Forwarding from 127.0.0.1:PORT -> N".
    private static async Task<int> ForwardedPortAsync(KubectlProcess forward)
    {
        var line = await forward.ReadLineAsync(TimeSpan.FromSeconds(30)) ?? throw new InvalidOperationException($"kubectl port-forward ended: {forward.Stderr}");
        var match = System.Text.RegularExpressions.Regex.Match(line, @"^Forwarding from 127\.0\.0\.1:(\d+) -> \d+$");
        Assert.True(match.Success, line);
        return int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task Top_ShowsABusyPodsCpuAndMemory_AndTheNodes()
    {
        await ApplyAsync($$$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: busy, namespace: {{{_ns}}} }
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - name: spin
                image: {{{Containerd.BusyboxImage}}}
                command: [sh, -c, "while true; do :; done"]
                resources: {limits: {cpu: 500m, memory: 64Mi}}
            """);
        await WaitForPodAsync("busy", IsReady, TimeSpan.FromSeconds(60));
        // The first reading of a new container needs two samples: wait until top lists the pod.
        var top = await Wait.ForAsync(
            async () => await Kubectl.RunAsync(Node.Cluster.Kubeconfig, "top", "pod", "-n", _ns, "--containers", "--no-headers"),
            r => r.ExitCode == 0 && r.Stdout.Contains("busy", StringComparison.Ordinal),
            "kubectl top pod lists the pod",
            TimeSpan.FromSeconds(60));
        var match = System.Text.RegularExpressions.Regex.Match(top.Stdout, @"^busy\s+spin\s+(\d+)m\s+(\d+)Mi\s*$", System.Text.RegularExpressions.RegexOptions.Multiline);
        Assert.True(match.Success, top.Stdout);
        // A spinning shell under a 500m limit: clearly busy, and never past its limit (with some room for sampling).
        Assert.InRange(int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), 100, 600);

        var nodes = await Kubectl.RunAsync(Node.Cluster.Kubeconfig, "top", "node", "--no-headers");
        Assert.True(nodes.ExitCode == 0, nodes.ToString());
        Assert.Matches($@"(?m)^{Node.NodeName}\s+\d+m\s+\d+%\s+\d+Mi\s+\d+%\s*$", nodes.Stdout);
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

    private static Task<int> NextTickAsync(KubectlProcess process) => NextNumberAsync(process, "tick ");

    // The number of the next output line that starts with PREFIX.
    private static async Task<int> NextNumberAsync(KubectlProcess process, string prefix)
    {
        while (true)
        {
            var line = await process.ReadLineAsync(TimeSpan.FromSeconds(20)) ?? throw new InvalidOperationException($"kubectl ended; stderr: {process.Stderr}");
            if (line.StartsWith(prefix, StringComparison.Ordinal) && int.TryParse(line[prefix.Length..], out var number))
            {
                return number;
            }
        }
    }
}
