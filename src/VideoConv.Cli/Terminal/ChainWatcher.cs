using VideoConv.Cli.Config;
using VideoConv.Cli.Yaml;
using VideoConv.Core;
using VideoConv.Core.Imaging;
using VideoConv.Pipeline;

namespace VideoConv.Cli.Terminal;

/// <summary>
/// <c>run --watch</c>: when the config file changes, re-reads its chain, validates it and swaps it into the
/// running pipeline. A broken edit is reported with its location and the running chain is kept.
/// </summary>
public sealed class ChainWatcher : IDisposable
{
    // Editors save in bursts (truncate, write, rename); one reload after the burst settles.
    private static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(300);

    private readonly string _path;
    private readonly VideoPipeline _pipeline;
    private readonly ImageFormat? _format;
    private readonly StatusLine _status;
    private readonly FileSystemWatcher _watcher;
    private readonly Timer _timer;

    public ChainWatcher(string configPath, VideoPipeline pipeline, ImageFormat? sourceFormat, StatusLine status)
    {
        _path = Path.GetFullPath(configPath);
        _pipeline = pipeline;
        _format = sourceFormat;
        _status = status;
        _timer = new Timer(_ => Reload(), null, Timeout.Infinite, Timeout.Infinite);
        _watcher = new FileSystemWatcher(Path.GetDirectoryName(_path)!)
        {
            NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size | NotifyFilters.CreationTime,
        };
        _watcher.Changed += OnEvent;
        _watcher.Created += OnEvent;
        _watcher.Renamed += OnEvent;
        _watcher.EnableRaisingEvents = true;
    }

    /// <summary>Raised after each reload attempt: null on success, else the message printed.</summary>
    public event Action<string?>? Reloaded;

    private void OnEvent(object sender, FileSystemEventArgs e)
    {
        if (string.Equals(Path.GetFullPath(e.FullPath), _path, StringComparison.Ordinal))
            _timer.Change(Debounce, Timeout.InfiniteTimeSpan);
    }

    private void Reload()
    {
        string? error = null;
        try
        {
            var chain = PipelineConfigReader.ReadChainOnly(_path);
            if (_format is { } f) ConfigValidation.ChainOutput(chain, f, SourceLocation.CommandLine(_path));
            _pipeline.ReplaceChain(chain.Select(s => s.Definition).ToList());
            Say($"videoconv: reloaded the chain from {FilterLibraryPath()} ({chain.Count} filter(s))");
        }
        catch (ConfigException ex)
        {
            error = ex.Formatted;
        }
        catch (FilterDefinitionException ex)
        {
            error = $"{FilterLibraryPath()}: error: {ex.Message}";
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            error = $"{FilterLibraryPath()}: error: cannot read the config: {ex.Message}";
        }
        if (error is not null) Say(error + " (keeping the running chain)");
        Reloaded?.Invoke(error);
    }

    private string FilterLibraryPath() => Filters.FilterLibrary.DisplayPath(_path);

    private void Say(string line)
    {
        _status.Clear();
        Console.Error.WriteLine(line);
    }

    public void Dispose()
    {
        _watcher.Dispose();
        _timer.Dispose();
    }
}
