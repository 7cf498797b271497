using System.CommandLine;
using System.CommandLine.Invocation;

namespace Cetus.Commands;

/// <summary>
/// <c>cetus version</c> (and <c>cetus --version</c>): prints the Cetus release, the Kubernetes
/// API version it is compatible with, the runtime and the platform.
/// </summary>
internal static class VersionCommand
{
    /// <summary>Adds the <c>version</c> subcommand to <paramref name="root"/> and makes its <c>--version</c> option print the same.</summary>
    public static void AddTo(RootCommand root)
    {
        Command command = new("version", "Print the Cetus version, the Kubernetes API version it is compatible with, and the platform.");
        command.SetAction(parseResult =>
        {
            Write(parseResult.InvocationConfiguration.Output);
            return 0;
        });
        root.Subcommands.Add(command);

        // The default --version prints the assembly version; print the real one instead.
        foreach (VersionOption option in root.Options.OfType<VersionOption>())
        {
            option.Action = new VersionOptionAction();
        }
    }

    /// <summary>Writes the version lines.</summary>
    public static void Write(TextWriter output)
    {
        output.WriteLine($"cetus v{CetusVersion.Version}");
        output.WriteLine($"kubernetes: {CetusVersion.KubernetesVersion} (API compatibility)");
        output.WriteLine($"git version: {CetusVersion.GitVersion}");
        output.WriteLine($"runtime: {CetusVersion.Runtime}");
        output.WriteLine($"platform: {CetusVersion.Platform}");
    }

    /// <summary>The action of <c>cetus --version</c>.</summary>
    private sealed class VersionOptionAction : SynchronousCommandLineAction
    {
        /// <inheritdoc/>
        public override bool ClearsParseErrors => true;

        /// <inheritdoc/>
        public override int Invoke(ParseResult parseResult)
        {
            Write(parseResult.InvocationConfiguration.Output);
            return 0;
        }
    }
}
