using k8s;
using k8s.Exceptions;
using k8s.KubeConfigModels;
using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace Cetus.Client.Security;

/// <summary>
/// Reads kubeconfig files into the KubernetesClient package's configuration, like
/// <see cref="KubernetesClientConfiguration.BuildConfigFromConfigFile(string, string, string, bool)"/> (paths in the
/// file are relative to its folder), without its YAML reader.
/// </summary>
/// <remarks>
/// The package reads kubeconfigs with <see cref="KubernetesYaml"/>, whose first use lists every type of the package
/// and every property of every model three times over (to map JSON names onto YAML ones): 5,900 types loaded and
/// ~9 MB that a process keeps for good (docs/benchmarks.md, 2026-11-28), to read a file of four sections. The kubeconfig classes name
/// their YAML keys themselves, so a plain YAML reader does.
/// </remarks>
public static class KubeconfigFile
{
    // The package's own reader serializes its calls too; kubeconfigs are read a few times per process.
    private static readonly Lock ReaderLock = new();

    private static readonly IDeserializer Reader = new DeserializerBuilder()
        .IgnoreUnmatchedProperties()
        .WithAttemptingUnquotedStringTypeDeserialization()
        .Build();

    /// <summary>The client configuration of the file's current context.</summary>
    /// <exception cref="KubeConfigException">The file is missing, is not YAML, or lacks what the context needs.</exception>
    public static KubernetesClientConfiguration Load(string path) =>
        KubernetesClientConfiguration.BuildConfigFromConfigObject(Read(path));

    /// <summary>The parsed file, with <see cref="K8SConfiguration.FileName"/> set so relative paths resolve.</summary>
    /// <exception cref="KubeConfigException">The file is missing or is not YAML.</exception>
    public static K8SConfiguration Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new KubeConfigException($"kubeconfig file not found at {full}");
        }

        var config = Parse(File.ReadAllText(full), full);
        config.FileName = full;
        return config;
    }

    /// <summary>Parses kubeconfig YAML (<paramref name="source"/> names it in errors).</summary>
    /// <exception cref="KubeConfigException">The text is not YAML or is empty.</exception>
    public static K8SConfiguration Parse(string yaml, string source = "the kubeconfig")
    {
        ArgumentNullException.ThrowIfNull(yaml);
        try
        {
            K8SConfiguration? config;
            lock (ReaderLock)
            {
                config = Reader.Deserialize<K8SConfiguration?>(yaml);
            }

            return config ?? throw new KubeConfigException($"{source} is empty");
        }
        catch (YamlException e)
        {
            throw new KubeConfigException($"{source} is not a valid kubeconfig: {e.Message}", e);
        }
    }
}
