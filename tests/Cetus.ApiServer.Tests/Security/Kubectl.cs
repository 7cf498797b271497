using System.Diagnostics;

namespace Cetus.ApiServer.Tests.Security;

/// <summary>Runs the machine's real kubectl with its own cache directory, so runs never share discovery or OpenAPI caches.</summary>
internal static class Kubectl
{
    private const string Binary = "/usr/bin/kubectl";

    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(string workDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo(Binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("--cache-dir");
        start.ArgumentList.Add(Path.Combine(workDirectory, "kube-cache"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["HOME"] = workDirectory;
        start.Environment.Remove("KUBECONFIG");
        using var process = Process.Start(start) ?? throw new InvalidOperationException("kubectl did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"kubectl {string.Join(' ', arguments)} did not finish");
        }

        return (process.ExitCode, await output, await error);
    }
}
