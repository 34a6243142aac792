import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { actorOf } from '../../shared/principal.ts'
import { envelope, errorResponses, ref } from '../../shared/schemas.ts'
import { Contact, CONTACT_WRITERS, ContactParams, TagInput } from './contacts.schemas.ts'
import { toContact } from './contacts.mapper.ts'
import type { ReachabilityChange } from './contacts.repository.ts'
import { addTags, changeReachability, removeTag } from './contacts.service.ts'

const tags = ['contacts']

const changes: Record<ReachabilityChange, { summary: string; description: string }> = {
  'opt-out': {
    summary: 'Opt a contact out',
    description:
      'As if the contact had sent STOP: it becomes invalid (CONT-010) and blocked until it opts in. Emits contact-opt-out.'
  },
  'opt-in': {
    summary: 'Opt a contact back in',
    description: 'As if the contact had sent START: clears the opt-out and sets optIn. Emits contact-opt-in.'
  },
  block: {
    summary: 'Block a contact',
    description: 'The account stops messaging the contact (CONT-010) until unblocked. Emits contact-updated.'
  },
  unblock: {
    summary: 'Unblock a contact',
    description: 'Lifts a block; an opt-out stays until the contact opts in. Emits contact-updated.'
  }
}

/** Opt-out, opt-in, block and tags of one contact. */
export const contactStateRoutes: FastifyPluginAsyncTypebox = async (app) => {
  for (const [change, { summary, description }] of Object.entries(changes) as [
    ReachabilityChange,
    (typeof changes)[ReachabilityChange]
  ][]) {
    app.post(
      `/v1/accounts/:accountId/contacts/:contactId/${change}`,
      {
        schema: {
          tags,
          summary,
          description,
          operationId: `contacts.${change.replace(/-(\w)/, (_match, letter: string) => letter.toUpperCase())}`,
          params: ContactParams,
          response: { 200: envelope(ref(Contact)), ...errorResponses }
        },
        config: { roles: CONTACT_WRITERS }
      },
      async (request) => {
        const contact = await changeReachability(
          app.db,
          request.principal.accountId,
          request.params.contactId,
          change,
          actorOf(request.principal)
        )
        return { success: true as const, data: toContact(contact) }
      }
    )
  }

  app.post(
    '/v1/accounts/:accountId/contacts/:contactId/tags',
    {
      schema: {
        tags,
        summary: 'Add tags to a contact',
        description: 'Tags already on the contact keep their place and take the visibility given.',
        operationId: 'contacts.addTags',
        params: ContactParams,
        body: Type.Object({ tags: Type.Array(TagInput, { minItems: 1, maxItems: 100 }) }),
        response: { 200: envelope(ref(Contact)), ...errorResponses }
      },
      config: { roles: CONTACT_WRITERS }
    },
    async (request) => {
      const contact = await addTags(
        app.db,
        request.principal.accountId,
        request.params.contactId,
        request.body.tags,
        actorOf(request.principal)
      )
      return { success: true as const, data: toContact(contact) }
    }
  )

  app.delete(
    '/v1/accounts/:accountId/contacts/:contactId/tags/:tag',
    {
      schema: {
        tags,
        summary: 'Remove a tag from a contact',
        operationId: 'contacts.removeTag',
        params: Type.Object({ ...ContactParams.properties, tag: Type.String({ minLength: 1 }) }),
        response: { 200: envelope(ref(Contact)), ...errorResponses }
      },
      config: { roles: CONTACT_WRITERS }
    },
    async (request) => {
      const contact = await removeTag(
        app.db,
        request.principal.accountId,
        request.params.contactId,
        request.params.tag,
        actorOf(request.principal)
      )
      return { success: true as const, data: toContact(contact) }
    }
  )
}
