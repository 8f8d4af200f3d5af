// express-hbs ships no types; this is the part Keepsake uses.
declare module 'express-hbs' {
  import type Handlebars from 'handlebars';
  interface Express4Options {
    partialsDir?: string | string[];
    defaultLayout?: string;
    layoutsDir?: string;
    extname?: string;
  }
  const hbs: {
    express4(options?: Express4Options): (path: string, options: object, callback: (err: Error | null, html?: string) => void) => void;
    handlebars: typeof Handlebars;
  };
  export default hbs;
}
