using System.Diagnostics;

namespace Cetus.Testing;

/// <summary>Runs the real /usr/bin/kubectl against a kubeconfig, with a time limit, and captures what it prints.</summary>
public static class Kubectl
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public override string ToString() => $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
    }

    public static async Task<Result> RunWithInputAsync(string kubeconfig, string stdin, params string[] args)
    {
        var start = new ProcessStartInfo("/usr/bin/kubectl")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        // Its own cache folder per run, so no discovery or OpenAPI cache leaks between tests.
        var cache = Path.Combine(Path.GetTempPath(), "cetus-kubectl-cache-" + Guid.NewGuid().ToString("N"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.ArgumentList.Add("--kubeconfig");
        start.ArgumentList.Add(kubeconfig);
        start.ArgumentList.Add("--cache-dir");
        start.ArgumentList.Add(cache);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"kubectl {string.Join(' ', args)} did not finish in 60 s: {await stderr}");
        }

        if (Directory.Exists(cache))
        {
            Directory.Delete(cache, recursive: true);
        }
        return new Result(process.ExitCode, await stdout, await stderr);
    }

    public static Task<Result> RunAsync(string kubeconfig, params string[] args) => RunWithInputAsync(kubeconfig, string.Empty, args);
}
