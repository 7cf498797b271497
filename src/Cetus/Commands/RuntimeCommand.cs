using System.CommandLine;
using System.Diagnostics;
using Cetus.Cri.Remote;
using Grpc.Core;

namespace Cetus.Commands;

/// <summary>
/// <c>cetus runtime reset</c> (every pod sandbox stopped and removed through CRI, as a clean teardown needs) and
/// <c>cetus images import FILE.tar…</c> / <c>cetus images ls</c> (the node's images, for clusters without a registry).
/// </summary>
internal static class RuntimeCommand
{
    /// <summary>Adds the <c>runtime</c> and <c>images</c> subcommands.</summary>
    public static void AddTo(RootCommand root)
    {
        root.Subcommands.Add(Runtime());
        root.Subcommands.Add(Images());
    }

    private static Option<string> EndpointOption() => new("--container-runtime-endpoint")
    {
        Description = "The CRI socket of the container runtime.",
        DefaultValueFactory = _ => RuntimeEndpoint.Default,
    };

    private static Command Runtime()
    {
        var endpoint = EndpointOption();
        Command reset = new("reset", "Stop and remove every pod sandbox (and its containers) through CRI, releasing their network namespaces and IP addresses.") { endpoint };
        reset.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var socket = RuntimeEndpoint.SocketPath(parseResult.GetValue(endpoint)!);
            using var runtime = new RemoteRuntime(socket);
            try
            {
                var sandboxes = await runtime.ListPodSandboxAsync(null, cancellationToken).ConfigureAwait(false);
                foreach (var sandbox in sandboxes)
                {
                    await runtime.StopPodSandboxAsync(sandbox.Id, cancellationToken).ConfigureAwait(false);
                    await runtime.RemovePodSandboxAsync(sandbox.Id, cancellationToken).ConfigureAwait(false);
                }

                output.WriteLine($"cetus: removed {sandboxes.Count} pod sandbox(es)");
                return 0;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable)
            {
                await parseResult.InvocationConfiguration.Error.WriteLineAsync("cetus runtime reset: " + RuntimeEndpoint.NotReachableHint(socket)).ConfigureAwait(false);
                return 1;
            }
        });
        return new Command("runtime", "Work with the node's container runtime.") { reset };
    }

    private static Command Images()
    {
        var endpoint = EndpointOption();
        Argument<string[]> files = new("FILE") { Description = "Image tarballs (OCI image layout or docker save format).", Arity = ArgumentArity.OneOrMore };
        Command import = new("import", "Import image tarballs into the node's runtime (for nodes without a registry).") { endpoint, files };
        import.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            var socket = RuntimeEndpoint.SocketPath(parseResult.GetValue(endpoint)!);
            foreach (var file in parseResult.GetValue(files)!)
            {
                if (!File.Exists(file))
                {
                    await error.WriteLineAsync($"cetus images import: {file}: no such file").ConfigureAwait(false);
                    return 1;
                }

                // containerd's own client does the import: CRI has no call for it.
                var (code, text) = await RunAsync("ctr", ["-a", socket, "-n", "k8s.io", "images", "import", Path.GetFullPath(file)], cancellationToken).ConfigureAwait(false);
                if (code != 0)
                {
                    await error.WriteLineAsync($"cetus images import: {file}: {text.Trim()}").ConfigureAwait(false);
                    return 1;
                }

                output.WriteLine($"cetus: imported {file}: {text.Trim()}");
            }

            return 0;
        });

        var listEndpoint = EndpointOption();
        Command list = new("ls", "List the node's images (as the kubelet sees them through CRI).") { listEndpoint };
        list.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var socket = RuntimeEndpoint.SocketPath(parseResult.GetValue(listEndpoint)!);
            using var runtime = new RemoteRuntime(socket);
            try
            {
                output.WriteLine($"{"IMAGE",-48} {"ID",-20} SIZE");
                foreach (var image in await runtime.ListImagesAsync(null, cancellationToken).ConfigureAwait(false))
                {
                    var id = image.Id.StartsWith("sha256:", StringComparison.Ordinal) ? image.Id[7..19] : image.Id;
                    foreach (var tag in image.RepoTags.DefaultIfEmpty("<none>"))
                    {
                        output.WriteLine($"{tag,-48} {id,-20} {image.Size / 1024.0 / 1024:F1}MB");
                    }
                }

                return 0;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable)
            {
                await parseResult.InvocationConfiguration.Error.WriteLineAsync("cetus images ls: " + RuntimeEndpoint.NotReachableHint(socket)).ConfigureAwait(false);
                return 1;
            }
        });
        return new Command("images", "Work with the node's container images.") { import, list };
    }

    private static async Task<(int Code, string Output)> RunAsync(string program, string[] args, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        return (process.ExitCode, await stdout.ConfigureAwait(false) + await stderr.ConfigureAwait(false));
    }
}
