pub fn run(
    _z: &std::path::Path,
    _c: &cmgelog::config::Config,
    _m: &cmgelog::messages::Messages,
    _l: cmgelog::i18n::Lang,
    _t: &dialoguer::theme::ColorfulTheme,
) -> u8 {
    0
}
