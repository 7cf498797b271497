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
        RunCoreAsync(stdin, [.. args, "--kubeconfig", kubeconfig]);

    /// <summary>kubectl ARGS with no kubeconfig at all (the arguments say where the server is, e.g. --server).</summary>
    public static Task<Result> RunBareAsync(params string[] args) => RunCoreAsync(string.Empty, args);

    private static async Task<Result> RunCoreAsync(string stdin, string[] args)
    {
        var home = Directory.CreateTempSubdirectory("cetus-kubectl-").FullName;
        var start = new ProcessStartInfo("/usr/bin/kubectl")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        // Flags go after the command: gcloud's kubectl dispatcher reads a leading word as the command.
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.ArgumentList.Add("--cache-dir");
        start.ArgumentList.Add(Path.Combine(home, "cache"));
        start.Environment["HOME"] = home;
        start.Environment.Remove("KUBECONFIG");
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
