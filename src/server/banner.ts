/**
 * Redis's startup log lines, word for word: tools and test harnesses wait
 * for them (Redis's suite finds a server's pid by " PID: <pid>" in the logo
 * and its readiness by "Ready to accept connections").
 */

/** Redis's logo with its version, mode, port and pid lines (server.c, redisAsciiArt). */
export function asciiLogo(version: string, mode: string, port: number, pid: number): string {
  const lines = [
    "                _._                                                  ",
    "           _.-``__ ''-._                                             ",
    `      _.-\`\`    \`.  \`_.  ''-._           Redis ${version} (00000000/0) 64 bit`,
    "  .-`` .-```.  ```\\/    _.,_ ''-._                                  ",
    ` (    '      ,       .-\`  | \`,    )     Running in ${mode} mode`,
    ` |\`-._\`-...-\` __...-.\`\`-._|'\` _.-'|     Port: ${port}`,
    ` |    \`-._   \`._    /     _.-'    |     PID: ${pid}`,
    "  `-._    `-._  `-./  _.-'    _.-'                                   ",
    " |`-._`-._    `-.__.-'    _.-'_.-'|                                  ",
    " |    `-._`-._        _.-'_.-'    |           https://redis.io       ",
    "  `-._    `-._`-.__.-'_.-'    _.-'                                   ",
    " |`-._`-._    `-.__.-'    _.-'_.-'|                                  ",
    " |    `-._`-._        _.-'_.-'    |                                  ",
    "  `-._    `-._`-.__.-'_.-'    _.-'                                   ",
    "      `-._    `-.__.-'    _.-'                                       ",
    "          `-._        _.-'                                           ",
    "              `-.__.-'                                               ",
  ];
  return `${lines.join("\n")}\n\n`;
}

/** What Redis logs once the configuration is read (main(), before initServer). */
export function startingLines(version: string, pid: number, noArguments: boolean, argv0: string): string[] {
  return [
    "oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo",
    `Redis version=${version}, bits=64, commit=00000000, modified=0, pid=${pid}, just started`,
    noArguments
      ? `Warning: no config file specified, using the default config. In order to specify a config file use ${argv0} /path/to/redis.conf`
      : "Configuration loaded",
  ];
}
