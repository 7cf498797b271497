using System.Security.Cryptography;
using System.Text;
using Cetus.Cri.V1;
using Grpc.Core;

namespace Cetus.Cri.Fake;

/// <summary>The fake runtime's image service: images are names with a made-up digest; pulls from <c>.invalid</c> registries fail.</summary>
public sealed partial class FakeRuntime
{
    /// <summary>Adds an image as if it had been pulled or imported.</summary>
    public void AddImage(string reference)
    {
        lock (_lock)
        {
            _images[reference] = NewImage(reference);
        }
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<Image>> ListImagesAsync(ImageFilter? filter, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            Begin("ListImages");
            var wanted = filter?.Image?.Image;
            IReadOnlyList<Image> items = [.. _images.Where(i => string.IsNullOrEmpty(wanted) || i.Key == wanted).OrderBy(i => i.Key, StringComparer.Ordinal).Select(i => i.Value.Clone())];
            return Task.FromResult(items);
        }
    }

    /// <inheritdoc/>
    public Task<Image?> ImageStatusAsync(ImageSpec image, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(image);
        lock (_lock)
        {
            Begin("ImageStatus");
            return Task.FromResult(_images.TryGetValue(image.Image, out var found) ? found.Clone() : null);
        }
    }

    /// <inheritdoc/>
    public Task<string> PullImageAsync(ImageSpec image, AuthConfig? auth, PodSandboxConfig? sandboxConfig, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(image);
        lock (_lock)
        {
            Begin("PullImage");
            if (UnresolvableRegistry(image.Image) is { } host)
            {
                throw new RpcException(new Status(StatusCode.Unknown, PullFailure(image.Image, host)));
            }

            if (!_images.TryGetValue(image.Image, out var found))
            {
                _images[image.Image] = found = NewImage(image.Image);
            }

            return Task.FromResult(found.Id);
        }
    }

    /// <inheritdoc/>
    public Task RemoveImageAsync(ImageSpec image, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(image);
        lock (_lock)
        {
            Begin("RemoveImage");
            _images.Remove(image.Image);
            return Task.CompletedTask;
        }
    }

    /// <summary>
    /// The registry host of <paramref name="reference"/> when it is under the reserved <c>.invalid</c> top-level domain
    /// (RFC 2606: it never resolves), else null. Pulls of such images fail as containerd's do when the registry's name
    /// does not resolve, so that hollow nodes and tests can make a pull fail by the image's name alone.
    /// </summary>
    public static string? UnresolvableRegistry(string reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var slash = reference.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0)
        {
            return null;
        }

        var host = reference[..slash];
        var colon = host.LastIndexOf(':');
        var name = colon < 0 ? host : host[..colon];
        return name.EndsWith(".invalid", StringComparison.OrdinalIgnoreCase) ? host : null;
    }

    // containerd's words for a registry whose name does not resolve.
    private static string PullFailure(string reference, string host)
    {
        var path = reference[(host.Length + 1)..];
        var at = path.IndexOf('@', StringComparison.Ordinal);
        var colon = path.LastIndexOf(':');
        var (repository, tag) = at >= 0 ? (path[..at], path[(at + 1)..])
            : colon > path.LastIndexOf('/') ? (path[..colon], path[(colon + 1)..])
            : (path, "latest");
        var name = host.Contains(':', StringComparison.Ordinal) ? host[..host.LastIndexOf(':')] : host;
        return $"failed to pull and unpack image \"{reference}\": failed to resolve reference \"{reference}\": failed to do request: Head \"https://{host}/v2/{repository}/manifests/{tag}\": dial tcp: lookup {name}: no such host";
    }

    private static Image NewImage(string reference) => new()
    {
        Id = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(reference))),
        RepoTags = { reference },
        Size = 1024 * 1024,
        Spec = new ImageSpec { Image = reference },
    };
}
