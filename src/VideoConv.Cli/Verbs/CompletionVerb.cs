using VideoConv.Cli.CommandLine;

namespace VideoConv.Cli.Verbs;

/// <summary>
/// <c>videoconv completion bash|zsh|fish</c>: prints a script that asks <c>videoconv [suggest:POS] "LINE"</c>
/// (System.CommandLine's suggest directive) for the words that fit at the cursor.
/// </summary>
internal static class CompletionVerb
{
    public static readonly string[] Shells = ["bash", "zsh", "fish"];

    public static VerbDefinition Definition { get; } = new(
        "completion",
        "Print a shell completion script (bash, zsh or fish)",
        [new("SHELL", "bash, zsh or fish", Completions: () => Shells)],
        [],
        RunAsync,
        """
        Load it in the current shell, or add the line to your shell's startup file:
          bash:  eval "$(videoconv completion bash)"      (~/.bashrc)
          zsh:   eval "$(videoconv completion zsh)"       (~/.zshrc)
          fish:  videoconv completion fish | source       (~/.config/fish/config.fish)
        """);

    private static Task<int> RunAsync(ParsedArguments args, CancellationToken cancellationToken)
    {
        var shell = args.Argument("SHELL");
        var script = shell switch
        {
            "bash" => Bash,
            "zsh" => Zsh,
            "fish" => Fish,
            _ => throw new UsageException($"unknown shell '{shell}'{Yaml.NameSuggestions.Hint(shell, Shells)}; use bash, zsh or fish"),
        };
        Console.Out.Write(script);
        return Task.FromResult(VideoconvApp.Success);
    }

    // Each script hands the line up to the cursor, without the program name, to the directive; no suggestion
    // falls back to file names (config and video paths).
    private const string Bash = """
        # videoconv completion for bash: eval "$(videoconv completion bash)"
        _videoconv_complete() {
            local IFS=$'\n'
            local line="${COMP_LINE:0:${COMP_POINT}}"
            line="${line#*videoconv}"
            line="${line# }"
            local candidates
            candidates=$(videoconv "[suggest:${#line}]" "${line}" 2>/dev/null)
            COMPREPLY=($(compgen -W "${candidates}" -- "${COMP_WORDS[COMP_CWORD]}"))
        }
        complete -o default -o bashdefault -F _videoconv_complete videoconv

        """;

    private const string Zsh = """
        # videoconv completion for zsh: eval "$(videoconv completion zsh)"
        _videoconv_complete() {
            local line="${BUFFER[1,${CURSOR}]}"
            line="${line#*videoconv}"
            line="${line# }"
            local -a candidates
            candidates=("${(@f)$(videoconv "[suggest:${#line}]" "${line}" 2>/dev/null)}")
            if (( ${#candidates} > 0 )) && [[ -n "${candidates[1]}" ]]; then
                compadd -- "${candidates[@]}"
            else
                _files
            fi
        }
        compdef _videoconv_complete videoconv

        """;

    private const string Fish = """
        # videoconv completion for fish: videoconv completion fish | source
        function __videoconv_complete
            set -l line (string replace -r '^\s*\S+\s?' '' -- (commandline -cp))
            videoconv "[suggest:"(string length -- "$line")"]" "$line" 2>/dev/null
        end
        complete -c videoconv -a '(__videoconv_complete)'

        """;
}
