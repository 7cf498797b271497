namespace Cetus.Testing;

/// <summary>A directory of its own for one test, removed afterwards.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory(string purpose)
    {
        Path = Directory.CreateTempSubdirectory($"cetus-{purpose}-").FullName;
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A child process may still be letting go of a file; the temp folder is cleaned by the system.
        }
    }
}
