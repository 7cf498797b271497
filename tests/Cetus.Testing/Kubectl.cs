using System.Diagnostics;

namespace Cetus.Testing;

/// <summary>
/// Runs the real /usr/bin/kubectl with a time limit and captures what it prints. Each run has its own cache folder
/// and home, so no discovery or OpenAPI cache, and no ~/.kube/config, leaks between tests.
/// </summary>
public static class Kubectl
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);

    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public override string ToString() => $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
    }

    /// <summary>kubectl ARGS against <paramref name="kubeconfig"/>.</summary>
    public static Task<Result> RunAsync(string kubeconfig, params string[] args) => RunWithInputAsync(kubeconfig, string.Empty, args);

    /// <summary>kubectl ARGS against <paramref name="kubeconfig"/>, with <paramref name="stdin"/> as its input.</summary>
    public static Task<Result> RunWithInputAsync(string kubeconfig, string stdin, params string[] args) =>
        RunCoreAsync(stdin, WithFlags(args, "--kubeconfig", kubeconfig));

    /// <summary>kubectl ARGS with no kubeconfig at all (the arguments say where the server is, e.g. --server).</summary>
    public static Task<Result> RunBareAsync(params string[] args) => RunCoreAsync(string.Empty, args);

    /// <summary>
    /// kubectl ARGS in a pseudo-terminal (util-linux <c>script</c>), as a user at a terminal runs <c>kubectl exec -it</c>:
    /// <paramref name="keystrokes"/> are typed into the terminal; the result is what the terminal showed and the exit code.
    /// </summary>
    public static Task<Result> RunInTerminalAsync(string kubeconfig, string keystrokes, params string[] args) =>
        RunCoreAsync(keystrokes, WithFlags(args, "--kubeconfig", kubeconfig), terminal: true);

    /// <summary>
    /// Starts kubectl ARGS and leaves it running (logs -f, port-forward): read its output as it comes; disposing kills it.
    /// </summary>
    public static KubectlProcess Start(string kubeconfig, params string[] args)
    {
        var home = Directory.CreateTempSubdirectory("cetus-kubectl-").FullName;
        var start = StartInfo(home, WithFlags(args, "--kubeconfig", kubeconfig), terminal: false);
        return new KubectlProcess(Process.Start(start) ?? throw new InvalidOperationException("kubectl did not start"), home);
    }

    // Flags go before a "--" (after it, everything is the command kubectl exec runs in the container).
    private static string[] WithFlags(string[] args, params string[] flags)
    {
        var end = Array.IndexOf(args, "--");
        return end < 0 ? [.. args, .. flags] : [.. args[..end], .. flags, .. args[end..]];
    }

    private static ProcessStartInfo StartInfo(string home, string[] args, bool terminal)
    {
        var start = new ProcessStartInfo(terminal ? "/usr/bin/script" : "/usr/bin/kubectl")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        // Flags go after the command: gcloud's kubectl dispatcher reads a leading word as the command.
        var all = WithFlags(args, "--cache-dir", Path.Combine(home, "cache"));
        if (terminal)
        {
            // script -q (no banner) -e (kubectl's exit code) -c COMMAND, no typescript file.
            start.ArgumentList.Add("-qec");
            start.ArgumentList.Add("/usr/bin/kubectl " + string.Join(' ', all.Select(a => "'" + a.Replace("'", "'\\''", StringComparison.Ordinal) + "'")));
            start.ArgumentList.Add("/dev/null");
        }
        else
        {
            foreach (var arg in all)
            {
                start.ArgumentList.Add(arg);
            }
        }

        start.Environment["HOME"] = home;
        start.Environment.Remove("KUBECONFIG");
        return start;
    }

    private static async Task<Result> RunCoreAsync(string stdin, string[] args, bool terminal = false)
    {
        var home = Directory.CreateTempSubdirectory("cetus-kubectl-").FullName;
        var start = StartInfo(home, args, terminal);
        try
        {
            using var process = Process.Start(start) ?? throw new InvalidOperationException("kubectl did not start");
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
            using var timeout = new CancellationTokenSource(Limit);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"kubectl {string.Join(' ', args)} did not finish in {Limit.TotalSeconds} s: {await stderr}");
            }

            return new Result(process.ExitCode, await stdout, await stderr);
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }
}
