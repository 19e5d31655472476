import { type ComponentChildren, createContext } from "preact";
import { useContext, useEffect, useLayoutEffect, useMemo, useState } from "preact/hooks";
import { loadLocale, saveLocale } from "../state/browser-storage.js";
import { type Locale, matchLocale } from "./locale.js";
import { createTranslator, type Translator } from "./translator.js";

/** The translator of the page's current language, and a way to change it. */
export interface I18n extends Translator {
  /** The language picked with the language switch; undefined while the page follows the browser. */
  chosen: Locale | undefined;
  /** The browser's language, which the page speaks when none is picked. */
  fromBrowser: Locale;
  /** Switch to a language and remember the choice in this browser; undefined forgets it and follows the browser. */
  setLocale: (locale: Locale | undefined) => void;
}

const I18nContext = createContext<I18n>({ ...createTranslator("en"), chosen: undefined, fromBrowser: "en", setLocale: () => undefined });

/** The language the browser asks for, from `navigator.languages` (or `navigator.language` on old browsers). */
export function browserLocale(): Locale {
  return matchLocale(navigator.languages.length > 0 ? navigator.languages : [navigator.language]);
}

/** The language the page starts in: the remembered choice, else the browser's. */
export function initialLocale(): Locale {
  return loadLocale() ?? browserLocale();
}

/**
 * Provides the page's language: the one chosen with the language switch if any, else the browser's (followed
 * live when the browser's preference changes). `<html lang>` follows, for screen readers, fonts and hyphenation.
 * A switch re-renders the tree in place: drafts, the open session and scroll positions stay.
 */
export function I18nProvider(props: { children: ComponentChildren }) {
  const [chosen, setChosen] = useState<Locale | undefined>(loadLocale);
  const [fromBrowser, setFromBrowser] = useState<Locale>(browserLocale);
  const locale = chosen ?? fromBrowser;

  useEffect(() => {
    const onChange = () => setFromBrowser(browserLocale());
    window.addEventListener("languagechange", onChange);
    return () => window.removeEventListener("languagechange", onChange);
  }, []);

  useLayoutEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);

  const value = useMemo<I18n>(
    () => ({
      ...createTranslator(locale),
      chosen,
      fromBrowser,
      setLocale: (next) => {
        saveLocale(next);
        setChosen(next);
      },
    }),
    [locale, chosen, fromBrowser],
  );
  return <I18nContext.Provider value={value}>{props.children}</I18nContext.Provider>;
}

/** The current language's translator (re-renders the component when the language changes). */
export function useI18n(): I18n {
  return useContext(I18nContext);
}
