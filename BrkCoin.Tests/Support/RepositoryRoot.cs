namespace BrkCoin.Tests.Support;

public static class RepositoryRoot
{
    /// <summary>The folder that holds BrkCoin.sln, found upwards from the test binaries.</summary>
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(folder.FullName, "BrkCoin.sln")))
            {
                return folder.FullName;
            }
        }

        throw new DirectoryNotFoundException("BrkCoin.sln not found above " + AppContext.BaseDirectory);
    }
}
