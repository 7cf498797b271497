using System.Security.Cryptography;
using System.Text;
using Cetus.Cri.V1;
using Grpc.Core;

namespace Cetus.Cri.Fake;

/// <summary>
/// The fake runtime's image service: images are names with a made-up digest; pulls from <c>.invalid</c> registries fail,
/// except from <c>USER.auth.invalid</c> registries with credentials for USER (<see cref="CredentialsRequired"/>).
/// </summary>
public sealed partial class FakeRuntime
{
    private const ulong DefaultImageSize = 1024 * 1024;
    private List<(string Image, AuthConfig? Auth)>? _pulls;

    /// <summary>The PullImage calls so far (the image and the credentials it came with), when recording.</summary>
    public IReadOnlyList<(string Image, AuthConfig? Auth)> Pulls
    {
        get
        {
            lock (_lock)
            {
                return _pulls is null ? [] : [.. _pulls];
            }
        }
    }

    /// <summary>The mount point the fake's <see cref="ImageFsInfoAsync"/> reports (it exists nowhere).</summary>
    public const string ImageFsMountpoint = "/fake/imagefs";

    /// <summary>The capacity of the fake image filesystem, in bytes (default 100 GiB): see <see cref="ImageFsSpace"/>.</summary>
    public long ImageFsCapacity { get; set; } = 100L << 30;

    /// <summary>Adds an image as if it had been pulled or imported, of <paramref name="size"/> bytes (default 1 MiB).</summary>
    public void AddImage(string reference, ulong size = DefaultImageSize, bool pinned = false)
    {
        lock (_lock)
        {
            var image = NewImage(reference);
            image.Size = size;
            image.Pinned = pinned;
            _images[reference] = image;
        }
    }

    /// <inheritdoc/>
    public Task<ImageFsInfoResponse> ImageFsInfoAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            Begin("ImageFsInfo");
            var usage = new FilesystemUsage
            {
                Timestamp = _options.Time.GetUtcNow().ToUnixTimeMilliseconds() * 1_000_000,
                FsId = new FilesystemIdentifier { Mountpoint = ImageFsMountpoint },
                UsedBytes = new UInt64Value { Value = UsedBytes() },
                InodesUsed = new UInt64Value { Value = (ulong)_images.Count },
            };
            return Task.FromResult(new ImageFsInfoResponse { ImageFilesystems = { usage } });
        }
    }

    /// <summary>
    /// The fake image filesystem's capacity and free space, as statfs of <see cref="ImageFsMountpoint"/> would give
    /// them: <see cref="ImageFsCapacity"/>, less the images' sizes. Null for any other path.
    /// </summary>
    public (long Capacity, long Available)? ImageFsSpace(string mountpoint)
    {
        lock (_lock)
        {
            return mountpoint == ImageFsMountpoint ? (ImageFsCapacity, Math.Max(0, ImageFsCapacity - (long)UsedBytes())) : null;
        }
    }

    // Under the lock.
    private ulong UsedBytes() => _images.Values.Aggregate(0UL, (sum, i) => sum + i.Size);

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
            if (_calls is not null)
            {
                (_pulls ??= []).Add((image.Image, auth?.Clone()));
            }

            if (CredentialsRequired(image.Image) is { } user)
            {
                if (!Authorized(auth, user.Username))
                {
                    throw new RpcException(new Status(StatusCode.Unknown, PullFailure(image.Image, user.Host, "401 Unauthorized")));
                }
            }
            else if (UnresolvableRegistry(image.Image) is { } host)
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
            // By reference or by id, as containerd.
            foreach (var key in _images.Where(i => i.Key == image.Image || i.Value.Id == image.Image).Select(i => i.Key).ToList())
            {
                _images.Remove(key);
            }

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

    /// <summary>
    /// The registry host and the user it wants when <paramref name="reference"/> is under <c>USER.auth.invalid</c>
    /// (<c>alice.auth.invalid/app:1</c> wants alice), else null. Such a pull succeeds only with credentials of that user
    /// and a non-empty password (in username/password or in auth as base64 of user:password); without them it fails
    /// as containerd's does when the registry answers 401. Hollow nodes and tests use it to see image pull secrets at
    /// work without a registry.
    /// </summary>
    public static (string Host, string Username)? CredentialsRequired(string reference)
    {
        if (UnresolvableRegistry(reference) is not { } host)
        {
            return null;
        }

        var colon = host.LastIndexOf(':');
        var name = colon < 0 ? host : host[..colon];
        const string Suffix = ".auth.invalid";
        return name.EndsWith(Suffix, StringComparison.OrdinalIgnoreCase) && name.Length > Suffix.Length && name.IndexOf('.', StringComparison.Ordinal) == name.Length - Suffix.Length
            ? (host, name[..^Suffix.Length])
            : null;
    }

    private static bool Authorized(AuthConfig? auth, string username)
    {
        if (auth is null)
        {
            return false;
        }

        var (user, password) = (auth.Username, auth.Password);
        if (!string.IsNullOrEmpty(auth.Auth))
        {
            try
            {
                var text = Encoding.UTF8.GetString(Convert.FromBase64String(auth.Auth));
                var colon = text.IndexOf(':', StringComparison.Ordinal);
                (user, password) = colon < 0 ? (text, string.Empty) : (text[..colon], text[(colon + 1)..]);
            }
            catch (FormatException)
            {
                return false;
            }
        }

        return user == username && password.Length > 0;
    }

    // containerd's words for a registry whose name does not resolve, or (with a status) that refused the request.
    private static string PullFailure(string reference, string host, string? status = null)
    {
        var path = reference[(host.Length + 1)..];
        var at = path.IndexOf('@', StringComparison.Ordinal);
        var colon = path.LastIndexOf(':');
        var (repository, tag) = at >= 0 ? (path[..at], path[(at + 1)..])
            : colon > path.LastIndexOf('/') ? (path[..colon], path[(colon + 1)..])
            : (path, "latest");
        var name = host.Contains(':', StringComparison.Ordinal) ? host[..host.LastIndexOf(':')] : host;
        if (status is not null)
        {
            return $"failed to pull and unpack image \"{reference}\": failed to resolve reference \"{reference}\": unexpected status from HEAD request to https://{host}/v2/{repository}/manifests/{tag}: {status}";
        }

        return $"failed to pull and unpack image \"{reference}\": failed to resolve reference \"{reference}\": failed to do request: Head \"https://{host}/v2/{repository}/manifests/{tag}\": dial tcp: lookup {name}: no such host";
    }

    private static Image NewImage(string reference) => new()
    {
        Id = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(reference))),
        RepoTags = { reference },
        Size = DefaultImageSize,
        Spec = new ImageSpec { Image = reference },
    };
}
